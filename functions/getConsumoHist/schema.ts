import { cpfField, wholeField } from '../../core/fields';
import * as z from '../../core/zod';

export const MAX_PAGE = 1000;

export const schema = z.object({
  id: cpfField,
  kind: z._default(z.enum(['D', 'M', 'Y'], { error: 'must be D (day), M (month) or Y (year)' }), 'D'),
  periodo: z._default(wholeField([0, 'must be 0 or more'], [10_000, 'is too far back']), 0),
  limit: z._default(wholeField([1, 'must be 1 or more'], [MAX_PAGE, `must be at most ${MAX_PAGE}`]), 500),
  cursor: z.optional(z.string().check(z.maxLength(200, 'is not a cursor'))),
});
