// GET /faturaPdf?id=&mes=YYYY-MM → 200 application/pdf: the segunda via of a closed invoice; 409 invoice_open otherwise.
import { invoicePdf } from '../../core/invoicePdf';
import { file, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'owner',
  schema,
  handle: async (input, context) => file('application/pdf', `fatura-${input.mes}-${input.id}.pdf`, await invoicePdf(context, input.id, input.mes)),
});
