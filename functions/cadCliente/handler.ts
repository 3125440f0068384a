// POST /cadCliente {id, name} → 201 {id, name, createdAt}
import { registerCustomer } from '../../core/customers';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => reply(201, await registerCustomer(context, input)),
});
