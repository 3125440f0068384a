import { z } from 'zod';
import { cpfField, numberField } from '../../core/fields';

export const MAX_PAGE = 1000;

export const schema = z.object({
  id: cpfField,
  kind: z.enum(['D', 'M', 'Y'], { error: 'must be D (day), M (month) or Y (year)' }).default('D'),
  periodo: numberField
    .pipe(z.number().int('must be a whole number').min(0, 'must be 0 or more').max(10_000, 'is too far back'))
    .default(0),
  limit: numberField
    .pipe(z.number().int('must be a whole number').min(1, 'must be 1 or more').max(MAX_PAGE, `must be at most ${MAX_PAGE}`))
    .default(500),
  cursor: z.string().max(200, 'is not a cursor').optional(),
});
