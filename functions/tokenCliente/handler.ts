// POST /tokenCliente {id} → 201 {id, token, expiresAt}: a new customer token; the previous one is revoked (staff only).
import { issueCustomerToken } from '../../core/customers';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => reply(201, await issueCustomerToken(context, input)),
});
