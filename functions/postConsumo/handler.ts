// POST /postConsumo {id, id_medidor, valor, timestamp} → 201 stored, 200 {duplicate: true} when already stored
import { recordReading } from '../../core/readings';
import { reply, route } from '../http';
import { count } from '../observability';
import { schema } from './schema';

export const handler = route({
  method: 'POST',
  access: 'staff',
  schema,
  handle: async (input, context) => {
    const recorded = await recordReading(context, input);
    count(recorded.duplicate ? 'readingsDuplicate' : 'readingsStored');
    return reply(recorded.duplicate ? 200 : 201, recorded);
  },
});
