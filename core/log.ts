// The process's one structured logger: Powertools for AWS Lambda's Logger, a JSON object per line
// (`level`, `message`, `timestamp`, `service`, then the fields), in the functions and the UDP gateway alike.
//
// Never log a CPF as such: `maskCpf` keeps its last two digits (LGPD). Errors and warnings go to stderr,
// the rest to stdout, as Powertools writes them; in Lambda both become the function's log stream.
import { Logger } from '@aws-lambda-powertools/logger';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Level: LUZ_LOG_LEVEL (the gateway, after its config is validated), or AWS_LAMBDA_LOG_LEVEL / POWERTOOLS_LOG_LEVEL in Lambda. */
export const logger = new Logger({ serviceName: 'luz' });

/** An error as a log field: its message (and stack for faults), never a whole object with internals. */
export const errorField = (error: unknown, withStack = false): string =>
  String((withStack ? (error as Error)?.stack : undefined) ?? (error as Error)?.message ?? error);
