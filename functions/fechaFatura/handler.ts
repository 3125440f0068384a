// POST /fechaFatura {id, mes} → 201 the frozen invoice; 409 if the month is already closed
import { closeInvoice } from '../../core/billing';
import { reply, route } from '../http';
import { count } from '../observability';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => {
    const invoice = await closeInvoice(context, input.id, input.mes);
    count('invoicesClosed');
    return reply(201, invoice);
  },
});
