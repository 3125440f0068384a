// Configuration: read from the environment once, validated, failing loudly with the variable's name.
import { z } from 'zod';
import { ALARM_RULES, type AlarmRule } from './context';
import { assertTimeZone } from './periods';

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().positive().finite();

const schema = z.object({
  HTTP_PORT: port.default(8888),
  UDP_PORT: port.default(8080),
  /** The web app (npm start serves it locally). */
  WEB_PORT: port.default(8887),
  /** Unset: the regional endpoint of AWS_REGION and the default credential chain (a task or function role). */
  DYNAMODB_ENDPOINT: z.url().optional(),
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
  /** The staff key itself: local runs only (npm start generates one). In the cloud it is STAFF_KEY_PARAMETER's. */
  STAFF_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The SSM SecureString holding the staff key in the cloud (functions/staffKey.ts); only the authorizer has it. */
  STAFF_KEY_PARAMETER: z.string().regex(/^\/[A-Za-z0-9_.\-\/]+$/, 'an SSM parameter name starting with /').optional(),
  LUZ_TOKEN_TTL_DAYS: positive.default(365),
  /** How long the authorizer's decision for one credential is kept (API Gateway's resultTtlInSeconds; docs/SECURITY.md). */
  LUZ_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  LUZ_ALARM_LIMIT_KWH: positive.default(1000),
  LUZ_MAX_READING_KWH: positive.default(100_000),
  /** npm start's stand-in for the scheduled sweep (avaliaAlarmes, hourly in AWS): minutes between runs. */
  LUZ_SWEEP_MINUTES: positive.default(60),
  /**
   * How reading writes are grouped (core/store/readingStore.ts): `item`, one UpdateItem per block
   * (≈ 1 AWS write unit per reading, the cheapest), or `transaction`, up to 100 block updates per
   * TransactWriteItems (2 units per reading in AWS; faster on DynamoDB Local).
   */
  LUZ_WRITE_GROUPING: z.enum(['item', 'transaction']).default('item'),
  // Alarm rules (core/context.ts names them, core/alarms.ts evaluates them): which are in use, and each one's numbers.
  LUZ_ALARM_RULES: z
    .string()
    .default(ALARM_RULES.join(','))
    .transform((text) => text.split(',').map((rule) => rule.trim()).filter(Boolean))
    .refine(
      (rules) => rules.every((rule) => (ALARM_RULES as readonly string[]).includes(rule)),
      `a comma-separated list of ${ALARM_RULES.join(', ')}`,
    )
    .transform((rules) => rules as AlarmRule[]),
  LUZ_ALARM_SPIKE_FACTOR: positive.default(2),
  LUZ_ALARM_PROJECTION_MIN_DAYS: z.coerce.number().min(0).max(28).default(1),
  LUZ_METER_INTERVAL_MINUTES: positive.default(60),
  LUZ_ALARM_SILENT_INTERVALS: positive.default(3),
  // UDP gateway (udp-gateway/). Loopback by default, as the HTTP API; 0.0.0.0 accepts meters from the network.
  UDP_HOST: z.string().min(1).default('127.0.0.1'),
  /** TCP port of the gateway's `GET /health` (a load balancer cannot health-check UDP); on UDP_HOST. 0 picks a free one. */
  HEALTH_PORT: port.default(8081),
  /** `/health` says 503 when DynamoDB has not answered for this long (the gateway asks every third of it). */
  GATEWAY_HEALTH_STALE_SECONDS: positive.default(30),
  /** After SIGTERM: how long in-flight readings get to be stored and answered (below the container's stop timeout). */
  GATEWAY_DRAIN_SECONDS: positive.default(20),
  LUZ_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Readings per group commit; 15–25 readings fill one 100-item transaction (fewer when customers differ). */
  GATEWAY_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(25),
  /** How long a batch waits for company before it is committed. */
  GATEWAY_BATCH_WAIT_MS: z.coerce.number().min(0).max(1000).default(5),
  /** Batches committed at once; a customer's readings always go to the same lane. */
  GATEWAY_LANES: z.coerce.number().int().min(1).max(256).default(8),
  /** Readings accepted but not yet answered; past it the gateway answers 503 overloaded. */
  GATEWAY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(4096),
  /** Datagrams per second one source (address:port) may send, and its burst. */
  GATEWAY_RATE_PER_SOURCE: positive.default(200),
  GATEWAY_BURST_PER_SOURCE: positive.default(400),
  GATEWAY_STATS_SECONDS: positive.default(10),
  /** How often the gateway publishes its figures to the gateway table (GET /gatewayStatus); 0: never. */
  GATEWAY_PUBLISH_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  /** The name this gateway's figures are published under: one per running instance (default host:pid). */
  GATEWAY_INSTANCE_ID: z.string().min(1).max(200).optional(),
  /** 1 accepts unsigned v1 datagrams (the original meters; insecure, see docs/SECURITY.md); 0 answers them 403 v1_disabled. */
  LUZ_ACCEPT_V1: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('1').transform((flag) => flag === '1'),
  /** Anti-replay window: a signed datagram more than this many seqs behind its meter's highest stored seq is refused. */
  GATEWAY_REPLAY_WINDOW: z.coerce.number().int().min(1).default(65_536),
  /** How long the gateway trusts a cached meter secret; a rotated-out secret stops working within this time. */
  GATEWAY_KEY_CACHE_SECONDS: z.coerce.number().min(0).default(300),
  /** How often the gateway evaluates the alarms of customers whose readings it stored (0: never; the sweep still does). */
  GATEWAY_ALARM_SECONDS: z.coerce.number().min(0).default(5),
});

export type Config = z.infer<typeof schema>;
/** npm start, npm run migrate and the tests: DynamoDB Local unless DYNAMODB_ENDPOINT says otherwise. */
export type LocalConfig = Config & { DYNAMODB_ENDPOINT: string };

export const LOCAL_DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';

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

/** loadConfig for the local tools: an unset DYNAMODB_ENDPOINT means DynamoDB Local, never AWS. */
export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const config = loadConfig(env);
  return { ...config, DYNAMODB_ENDPOINT: config.DYNAMODB_ENDPOINT ?? LOCAL_DYNAMODB_ENDPOINT };
}
