import { z } from 'zod';
import { cpfField } from '../../core/fields';

export const schema = z.object({ id: cpfField });
