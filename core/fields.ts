// Field shapes shared by every transport (HTTP schemas, UDP datagrams): form and coercion only.
// The domain's rules (limits that depend on config or the clock) live in the domain functions.
import * as z from './zod';
import { parseCpf } from './cpf';
import { InvalidInput } from './errors';
import { MONTH_KEY } from './periods';

const numericString = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** CPF as string (masked or bare); a JSON number is read as its digits, left-padded to 11. */
export const cpfField = z.pipe(
  z.union([z.string(), z.number().check(z.int(), z.nonnegative())], { error: 'CPF must be a string of 11 digits' }),
  z.transform((value: string | number, context) => {
    const text = typeof value === 'number' ? String(value).padStart(11, '0') : value;
    try {
      return parseCpf(text);
    } catch (error) {
      context.issues.push({ code: 'custom', message: (error as Error).message, input: value });
      return z.NEVER;
    }
  }),
);

/** A month, YYYY-MM (getFatura, fechaFatura, faturaPdf). */
export const monthField = z.string({ error: 'must be YYYY-MM' }).check(z.regex(MONTH_KEY, 'must be YYYY-MM'));

/** A number, or a string that holds one (the original clients send "1", "3.25"). */
export const numberField = z.union([
  z.number({ error: 'must be a number' }),
  z.pipe(
    z.string().check(z.regex(numericString, 'must be a number')),
    z.transform((text: string) => Number(text)),
  ),
], { error: 'must be a number' });

/** A whole number from `min` to `max` (number or numeric string), each bound with its own words. */
export const wholeField = (min: [number, string], max: [number, string]) =>
  z.pipe(numberField, z.number().check(z.int('must be a whole number'), z.minimum(min[0], min[1]), z.maximum(max[0], max[1])));

export const meterIdField = wholeField([1, 'must be 1 or more'], [9_999_999_999, 'is too large']);

export const kwhField = z.pipe(
  numberField,
  // z.number() itself refuses Infinity (from "1e999"); say so in the same words as the refinement.
  z.number({ error: 'must be finite' }).check(
    z.refine(Number.isFinite, 'must be finite'),
    z.refine((value) => value >= 0, 'must not be negative'),
    // DynamoDB numbers stop at 1e-130; no meter measures below a microwatt-hour anyway.
    z.refine((value) => value === 0 || value >= 1e-9, 'must be 0 or at least 0.000000001 kWh'),
  ),
);

/** Unix seconds (may be fractional, number or numeric string) or ISO-8601 with a zone → Unix ms. */
export const timestampField = z.pipe(
  z.union([z.number(), z.string()], { error: 'must be Unix seconds or an ISO-8601 date' }),
  z.transform((value: number | string, context) => {
    let ms: number;
    if (typeof value === 'number' || numericString.test(value)) {
      ms = Math.floor(Number(value) * 1000);
    } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim())) {
      // A zone is required: a wall-clock time alone would mean different instants on different hosts.
      ms = Date.parse(value.trim());
    } else {
      ms = Number.NaN;
    }
    if (!Number.isFinite(ms)) {
      context.issues.push({ code: 'custom', message: 'must be Unix seconds or ISO-8601 with a zone (…Z or …-03:00)', input: value });
      return z.NEVER;
    }
    return ms;
  }),
);

export const readingFields = z.object({
  id: cpfField,
  id_medidor: meterIdField,
  valor: kwhField,
  timestamp: timestampField,
});
export type ReadingInput = z.output<typeof readingFields>;

/**
 * A failed parse as one InvalidInput, the same on every transport: "field: why", or "field: is required"
 * when the field was not sent (`emptyIsMissing`: an empty text field counts as not sent, as in v1 datagrams).
 * `wireName` maps a schema field to the name the sender used (v2 datagrams say `m`, not `id_medidor`).
 */
export function invalidInputFrom(
  error: z.core.$ZodError,
  given: unknown,
  options: { wireName?: (field: string) => string; emptyIsMissing?: boolean } = {},
): InvalidInput {
  const issue = error.issues[0];
  if (issue.path.length === 0) return new InvalidInput(issue.message);
  const sent = issue.path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    given,
  );
  const missing = sent === undefined || (options.emptyIsMissing === true && sent === '');
  const field = issue.path.map(String).join('.');
  const name = options.wireName ? options.wireName(field) : field;
  return new InvalidInput(`${name}: ${missing ? 'is required' : issue.message}`, name);
}
