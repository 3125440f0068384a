// POST /reconheceAlarme {id} → 200 {id, reconhecidos: [evento…]}: the active events (or the newest) acknowledged
import { acknowledgeAlarms } from '../../core/alarms';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'owner',
  schema,
  handle: async (input, context, principal) => reply(200, await acknowledgeAlarms(context, input.id, principal.role === 'staff' ? 'staff' : 'cliente')),
});
