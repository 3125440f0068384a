import { cpfField } from '../../core/fields';
import { CONNECTION_TYPES } from '../../core/tariff';
import * as z from '../../core/zod';

export const schema = z.object({
  id: cpfField,
  name: z.string({ error: 'must be a string' }).check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(200, 'must be at most 200 characters'),
    z.refine((name) => !/[\p{Cc}]/u.test(name), 'must not contain control characters'),
  ),
  // Written with or without accents (monofásico / monofasico).
  ligacao: z._default(
    z.pipe(
      z.pipe(
        z.string({ error: 'must be a string' }),
        z.transform((text: string) => text.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')),
      ),
      z.enum(CONNECTION_TYPES, { error: 'must be monofasico, bifasico or trifasico' }),
    ),
    'monofasico',
  ),
});
