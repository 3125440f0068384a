import * as z from '../../core/zod';
import { cpfField } from '../../core/fields';

export const schema = z.object({ id: cpfField });
