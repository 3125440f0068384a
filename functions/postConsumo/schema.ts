import { readingFields } from '../../core/fields';

export const schema = readingFields;
