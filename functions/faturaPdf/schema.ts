import { z } from 'zod';
import { cpfField } from '../../core/fields';

export const schema = z.object({
  id: cpfField,
  mes: z.string({ error: 'must be YYYY-MM' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'),
});
