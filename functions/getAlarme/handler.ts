// GET /getAlarme?id= → 200 {id, alarme: "Excesso!" | "Ok!", motivos}
import { getAlarm } from '../../core/alarms';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'owner',
  schema,
  handle: async (input, context) => reply(200, await getAlarm(context, input.id)),
});
