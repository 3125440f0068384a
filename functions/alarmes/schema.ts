import { z } from 'zod';
import { numberField } from '../../core/fields';

export const MAX_PAGE = 100;

export const schema = z.object({
  limit: numberField
    .pipe(z.number().int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`))
    .default(50),
  cursor: z.string().max(1000, 'is not a cursor').optional(),
});
