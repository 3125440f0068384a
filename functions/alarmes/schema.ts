import { wholeField } from '../../core/fields';
import * as z from '../../core/zod';

export const MAX_PAGE = 100;

export const schema = z.object({
  limit: z._default(wholeField([1, 'must be 1 or more'], [MAX_PAGE, `must be at most ${MAX_PAGE}`]), 50),
  cursor: z.optional(z.string().check(z.maxLength(1000, 'is not a cursor'))),
});
