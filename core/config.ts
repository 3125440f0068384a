// Configuration: read from the environment once, validated, failing loudly with the variable's name.
import * as z from './zod';
import { ALARM_RULES, type AlarmRule } from './context';
import { assertTimeZone } from './periods';

const port = z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535));
const positive = z.coerce.number().check(z.positive());
/** A number from the environment: coerced, checked, `fallback` when unset. */
const numeric = (fallback: number, ...checks: z.core.$ZodCheck<number>[]) => z._default(z.coerce.number().check(...checks), fallback);
const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);

const schema = z.object({
  HTTP_PORT: z._default(port, 8888),
  UDP_PORT: z._default(port, 8080),
  /** The web app (npm start serves it locally). */
  WEB_PORT: z._default(port, 8887),
  /** Unset: the regional endpoint of AWS_REGION and the default credential chain (a task or function role). */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: text('us-east-1'),
  LUZ_DATA_DIR: text('.data'),
  LUZ_TZ: text('America/Bahia').check(
    z.refine((zone) => {
      try {
        assertTimeZone(zone);
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
  ),
  LUZ_TABLE_PREFIX: z._default(z.string().check(z.regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only')), 'luz-'),
  TARIFF_FILE: text('tariffs/flat-1.07.json'),
  /** The staff key itself: local runs only (npm start generates one). In the cloud it is STAFF_KEY_PARAMETER's. */
  STAFF_KEY: z.optional(z.string().check(z.minLength(16, 'must be at least 16 characters'))),
  /** The SSM SecureString holding the staff key in the cloud (functions/staffKey.ts); only the authorizer has it. */
  STAFF_KEY_PARAMETER: z.optional(z.string().check(z.regex(/^\/[A-Za-z0-9_.\-\/]+$/, 'an SSM parameter name starting with /'))),
  LUZ_TOKEN_TTL_DAYS: z._default(positive, 365),
  /** How long the authorizer's decision for one credential is kept (API Gateway's resultTtlInSeconds; docs/SECURITY.md). */
  LUZ_AUTH_CACHE_SECONDS: numeric(60, z.int(), z.minimum(0), z.maximum(3600)),
  LUZ_ALARM_LIMIT_KWH: z._default(positive, 1000),
  LUZ_MAX_READING_KWH: z._default(positive, 100_000),
  /** npm start's stand-in for the scheduled sweep (avaliaAlarmes, hourly in AWS): minutes between runs. */
  LUZ_SWEEP_MINUTES: z._default(positive, 60),
  /**
   * How reading writes are grouped (core/store/readingStore.ts): `item`, one UpdateItem per block
   * (≈ 1 AWS write unit per reading, the cheapest), or `transaction`, up to 100 block updates per
   * TransactWriteItems (2 units per reading in AWS; faster on DynamoDB Local).
   */
  LUZ_WRITE_GROUPING: z._default(z.enum(['item', 'transaction']), 'item'),
  // Alarm rules (core/context.ts names them, core/alarms.ts evaluates them): which are in use, and each one's numbers.
  LUZ_ALARM_RULES: z.pipe(
    z.pipe(
      z._default(z.string(), ALARM_RULES.join(',')),
      z.transform((list: string) => list.split(',').map((rule) => rule.trim()).filter(Boolean)),
    ).check(
      z.refine(
        (rules) => rules.every((rule) => (ALARM_RULES as readonly string[]).includes(rule)),
        `a comma-separated list of ${ALARM_RULES.join(', ')}`,
      ),
    ),
    z.transform((rules: string[]) => rules as AlarmRule[]),
  ),
  LUZ_ALARM_SPIKE_FACTOR: z._default(positive, 2),
  LUZ_ALARM_PROJECTION_MIN_DAYS: numeric(1, z.minimum(0), z.maximum(28)),
  LUZ_METER_INTERVAL_MINUTES: z._default(positive, 60),
  LUZ_ALARM_SILENT_INTERVALS: z._default(positive, 3),
  // UDP gateway (udp-gateway/). Loopback by default, as the HTTP API; 0.0.0.0 accepts meters from the network.
  UDP_HOST: text('127.0.0.1'),
  /** TCP port of the gateway's `GET /health` (a load balancer cannot health-check UDP); on UDP_HOST. 0 picks a free one. */
  HEALTH_PORT: z._default(port, 8081),
  /** `/health` says 503 when DynamoDB has not answered for this long (the gateway asks every third of it). */
  GATEWAY_HEALTH_STALE_SECONDS: z._default(positive, 30),
  /** After SIGTERM: how long in-flight readings get to be stored and answered (below the container's stop timeout). */
  GATEWAY_DRAIN_SECONDS: z._default(positive, 20),
  LUZ_LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  /** Readings per group commit; 15–25 readings fill one 100-item transaction (fewer when customers differ). */
  GATEWAY_BATCH_SIZE: numeric(25, z.int(), z.minimum(1), z.maximum(1000)),
  /** How long a batch waits for company before it is committed. */
  GATEWAY_BATCH_WAIT_MS: numeric(5, z.minimum(0), z.maximum(1000)),
  /** Batches committed at once; a customer's readings always go to the same lane. */
  GATEWAY_LANES: numeric(8, z.int(), z.minimum(1), z.maximum(256)),
  /** Readings accepted but not yet answered; past it the gateway answers 503 overloaded. */
  GATEWAY_MAX_IN_FLIGHT: numeric(4096, z.int(), z.minimum(1)),
  /** Datagrams per second one source (address:port) may send, and its burst. */
  GATEWAY_RATE_PER_SOURCE: z._default(positive, 200),
  GATEWAY_BURST_PER_SOURCE: z._default(positive, 400),
  GATEWAY_STATS_SECONDS: z._default(positive, 10),
  /** How often the gateway publishes its figures to the gateway table (GET /gatewayStatus); 0: never. */
  GATEWAY_PUBLISH_SECONDS: numeric(5, z.minimum(0), z.maximum(3600)),
  /** The name this gateway's figures are published under: one per running instance (default host:pid). */
  GATEWAY_INSTANCE_ID: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  /** 1 accepts unsigned v1 datagrams (the original meters; insecure, see docs/SECURITY.md); 0 answers them 403 v1_disabled. */
  LUZ_ACCEPT_V1: z.pipe(z._default(z.enum(['0', '1'], { error: 'must be 0 or 1' }), '1'), z.transform((flag: '0' | '1') => flag === '1')),
  /** Anti-replay window: a signed datagram more than this many seqs behind its meter's highest stored seq is refused. */
  GATEWAY_REPLAY_WINDOW: numeric(65_536, z.int(), z.minimum(1)),
  /** How long the gateway trusts a cached meter secret; a rotated-out secret stops working within this time. */
  GATEWAY_KEY_CACHE_SECONDS: numeric(300, z.minimum(0)),
  /** How often the gateway evaluates the alarms of customers whose readings it stored (0: never; the sweep still does). */
  GATEWAY_ALARM_SECONDS: numeric(5, z.minimum(0)),
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
