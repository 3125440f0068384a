import { z } from 'zod';
import { cpfField } from '../../core/fields';
import { CONNECTION_TYPES } from '../../core/tariff';

export const schema = z.object({
  id: cpfField,
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((name) => !/[\p{Cc}]/u.test(name), 'must not contain control characters'),
  // Written with or without accents (monofásico / monofasico).
  ligacao: z
    .string({ error: 'must be a string' })
    .transform((text) => text.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, ''))
    .pipe(z.enum(CONNECTION_TYPES, { error: 'must be monofasico, bifasico or trifasico' }))
    .default('monofasico'),
});
