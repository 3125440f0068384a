// GET /faturas?id= → 200 {id, faturas: [{numero, mes, emissao, vencimento, kwh, valor}]}, newest first
import { listInvoices } from '../../core/billing';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'owner',
  schema,
  handle: async (input, context) => reply(200, await listInvoices(context, input.id)),
});
