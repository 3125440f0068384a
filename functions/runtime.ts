// Process-wide set-up for the handlers: config validated once, one DynamoDB client, the domain context.
import { loadConfig, type Config } from '../core/config';
import type { Context } from '../core/context';
import { createContext } from '../core/wiring';
import { readParameter, StaffKeySource } from './staffKey';

let context: Context | undefined;
let config: Config | undefined;

function configOnce(): Config {
  config ??= loadConfig();
  return config;
}

let staffKeySource: StaffKeySource | undefined;

/**
 * The staff key: STAFF_KEY where it is given (npm start generates one; serverless offline hands its own
 * environment to the in-process handlers), else STAFF_KEY_PARAMETER's SSM value in AWS. Undefined
 * disables staff access. Only the authorizer asks, and only its role may read the parameter.
 */
export function staffKey(): Promise<string | undefined> {
  const settings = configOnce();
  if (settings.STAFF_KEY || !settings.STAFF_KEY_PARAMETER || process.env.IS_OFFLINE) return Promise.resolve(settings.STAFF_KEY);
  const name = settings.STAFF_KEY_PARAMETER;
  staffKeySource ??= new StaffKeySource(() => readParameter(name, settings.AWS_REGION), {
    onError: (error) => console.error(JSON.stringify({ level: 'error', msg: 'staff key not read; staff refused until it is', parameter: name, error: String((error as Error)?.message ?? error) })),
  });
  return staffKeySource.get();
}

/** How long an authorizer decision is kept (LUZ_AUTH_CACHE_SECONDS; serverless.yml sets it from the same value as API Gateway's TTL). */
export function authCacheSeconds(): number {
  return configOnce().LUZ_AUTH_CACHE_SECONDS;
}

/** Built on first use, so a bad variable fails the first request loudly, with its name, in the log. */
export function luzContext(): Context {
  if (!context) {
    // In AWS the endpoint is the regional default; under serverless offline it is DynamoDB Local.
    const inCloud = process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined && process.env.IS_OFFLINE === undefined;
    const settings = configOnce();
    context = createContext(settings, inCloud ? undefined : settings.DYNAMODB_ENDPOINT);
  }
  return context;
}
