import * as z from '../../core/zod';

/** No fields: the figures of every live gateway instance. */
export const schema = z.object({});
