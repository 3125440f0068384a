// The gateway's logging, over the process's Powertools Logger (core/log.ts): the level from LUZ_LOG_LEVEL,
// and lifecycle lines (health, listening, stopped) that a supervisor waits for at every level.
import { Logger as Powertools, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { logger as processLogger, type LogLevel } from '../core/log';

export type { LogLevel };
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Lifecycle lines a supervisor waits for (health, listening, stopped): written at every level, as info. */
  always(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

const UPPER = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/** The gateway's logger at `level`; the default target is the process's logger (stdout, errors on stderr). */
export function gatewayLogger(level: LogLevel, target: Powertools = processLogger): Logger {
  target.setLogLevel(UPPER[level]);
  target.appendPersistentKeys({ component: 'udp-gateway' });
  const lifecycle = target.createChild({ logLevel: 'INFO' });
  const enabled = (wanted: LogLevel) => LogLevelThreshold[UPPER[wanted]] >= LogLevelThreshold[UPPER[level]];
  return {
    debug: (message, fields = {}) => target.debug(message, fields),
    info: (message, fields = {}) => target.info(message, fields),
    warn: (message, fields = {}) => target.warn(message, fields),
    error: (message, fields = {}) => target.error(message, fields),
    always: (message, fields = {}) => (enabled('info') ? target : lifecycle).info(message, fields),
    enabled,
  };
}

const noop = () => undefined;
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, always: noop, enabled: () => false };
