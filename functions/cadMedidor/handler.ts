// POST /cadMedidor {id} → 201 {id, id_medidor, segredo}: the meter secret is shown here once.
import { registerMeter } from '../../core/customers';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => reply(201, await registerMeter(context, input)),
});
