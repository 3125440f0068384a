// GET /getFatura?id=&mes=YYYY-MM → 200 {id, mes, kwh, valor, itens}
import { getInvoice } from '../../core/billing';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'owner',
  schema,
  handle: async (input, context) => reply(200, await getInvoice(context, input.id, input.mes)),
});
