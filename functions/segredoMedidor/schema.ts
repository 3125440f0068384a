import * as z from '../../core/zod';
import { cpfField, meterIdField } from '../../core/fields';

export const schema = z.object({ id: cpfField, id_medidor: meterIdField });
