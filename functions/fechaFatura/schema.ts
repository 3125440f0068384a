import { cpfField } from '../../core/fields';
import * as z from '../../core/zod';

export const schema = z.object({
  id: cpfField,
  mes: z.string({ error: 'must be YYYY-MM' }).check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')),
});
