// POST /segredoMedidor {id, id_medidor} → 201 {id, id_medidor, segredo}: a new meter secret; the old one stops working (staff only).
import { rotateMeterSecret } from '../../core/customers';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => reply(201, await rotateMeterSecret(context, input)),
});
