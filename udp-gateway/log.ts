// Structured logs: one JSON object per line, filtered by level (LUZ_LOG_LEVEL).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Lifecycle lines a supervisor waits for (listening, stopped): written at every level, as info. */
  always(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

/** `write` receives whole lines; the default is stdout. */
export function jsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const enabled = (wanted: LogLevel) => RANK[wanted] >= RANK[level];
  const line = (level: LogLevel, message: string, fields: LogFields) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
  const emit = (wanted: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (enabled(wanted)) line(wanted, message, fields);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    always: (message, fields = {}) => line('info', message, fields),
    enabled,
  };
}

export const silentLogger: Logger = jsonLogger('error', () => undefined);
