// GET /alarmes (staff) → 200 {clientes: [{id, alarmes: [{regra, id_medidor?, desde, mensagem}]}], cursor}
import { listCustomersInAlarm } from '../../core/alarms';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'staff',
  schema,
  handle: async (input, context) => reply(200, await listCustomersInAlarm(context, input)),
});
