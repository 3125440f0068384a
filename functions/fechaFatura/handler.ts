// POST /fechaFatura {id, mes} → 201 the frozen invoice; 409 if the month is already closed
import { closeInvoice } from '../../core/billing';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => reply(201, await closeInvoice(context, input.id, input.mes)),
});
