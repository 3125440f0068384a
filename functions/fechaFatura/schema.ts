import { cpfField, monthField } from '../../core/fields';
import * as z from '../../core/zod';

export const schema = z.object({
  id: cpfField,
  mes: monthField,
});
