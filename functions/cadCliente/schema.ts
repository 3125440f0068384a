import { z } from 'zod';
import { cpfField } from '../../core/fields';

export const schema = z.object({
  id: cpfField,
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((name) => !/[\p{Cc}]/u.test(name), 'must not contain control characters'),
});
