// GET /getConsumoHist?id=&periodo=0&kind=D → 200 {id, kind, periodo, inicio, fim, soma, series, consumo, cursor}
import { getHistory } from '../../core/history';
import { reply, route } from '../http';
import { schema } from './schema';

export const handler = route({
  method: 'GET',
  access: 'owner',
  schema,
  handle: async (input, context) => reply(200, await getHistory(context, input)),
});
