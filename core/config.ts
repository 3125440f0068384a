// Configuration: read from the environment once, validated, failing loudly with the variable's name.
import { z } from 'zod';
import { assertTimeZone } from './periods';

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().positive().finite();

const schema = z.object({
  HTTP_PORT: port.default(8888),
  UDP_PORT: port.default(8080),
  DYNAMODB_ENDPOINT: z.url().default('http://127.0.0.1:8000'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  LUZ_DATA_DIR: z.string().min(1).default('.data'),
  LUZ_TZ: z
    .string()
    .min(1)
    .default('America/Bahia')
    .refine((zone) => {
      try {
        assertTimeZone(zone);
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
  LUZ_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only')
    .default('luz-'),
  TARIFF_FILE: z.string().min(1).default('tariffs/flat-1.07.json'),
  STAFF_KEY: z.string().optional(),
  LUZ_ALARM_LIMIT_KWH: positive.default(1000),
  LUZ_MAX_READING_KWH: positive.default(100_000),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Validates the environment; the message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "not set", as shells and serverless.yml defaults produce them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
