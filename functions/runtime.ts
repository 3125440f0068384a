// Process-wide set-up for the handlers: config validated once, one DynamoDB client, the domain context.
import { loadConfig, type Config } from '../core/config';
import type { Context } from '../core/context';
import { createContext } from '../core/wiring';

let context: Context | undefined;
let config: Config | undefined;

function configOnce(): Config {
  config ??= loadConfig();
  return config;
}

/** The staff key from STAFF_KEY (npm start generates one when it is unset); undefined disables staff access. */
export function staffKey(): string | undefined {
  return configOnce().STAFF_KEY;
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
