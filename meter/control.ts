// Live control of a running simulation: one command per line on the keyboard (stdin).
export type Command =
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'interval'; seconds: number }
  | { kind: 'rate'; factor: number }
  | { kind: 'send'; meter: number; valor: number; timestampMs?: number }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'quit' };

export const HELP = [
  'commands (type, then Enter):',
  '  p | pause                      stop the simulated clock (the outbox keeps draining)',
  '  r | resume                     start it again',
  '  i | interval <seconds>         simulated seconds between a meter\'s readings (original: 300)',
  '  x | rate <factor>              consumption multiplier (1 = the load model as is)',
  '  s | send <meter#> <kWh> [date] one reading from meter # (1 = first) at an ISO-8601 date (default: the simulated now)',
  '  status                         print the status line now',
  '  q | quit                       stop generating, drain the outbox, report and exit',
].join('\n');

export class CommandError extends Error {}

const positiveNumber = (text: string | undefined, what: string): number => {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new CommandError(`${what} must be a number above 0`);
  }
  return value;
};

/** Parses one line; throws CommandError with a message for the person typing. */
export function parseCommand(line: string): Command | undefined {
  const [word, ...args] = line.trim().split(/\s+/);
  switch (word?.toLowerCase()) {
    case '':
    case undefined:
      return undefined;
    case 'p':
    case 'pause':
      return { kind: 'pause' };
    case 'r':
    case 'resume':
      return { kind: 'resume' };
    case 'i':
    case 'interval':
      return { kind: 'interval', seconds: Math.round(positiveNumber(args[0], 'interval (seconds)')) };
    case 'x':
    case 'rate':
      return { kind: 'rate', factor: positiveNumber(args[0], 'rate') };
    case 's':
    case 'send': {
      const meter = positiveNumber(args[0], 'meter#');
      if (!Number.isInteger(meter)) throw new CommandError('meter# must be a whole number (1 = the first meter)');
      const valor = Number(args[1]);
      if (args[1] === undefined || !Number.isFinite(valor) || valor < 0) throw new CommandError('kWh must be a number, 0 or more');
      let timestampMs: number | undefined;
      if (args[2] !== undefined) {
        timestampMs = Date.parse(args[2]);
        if (!/[zZ]|[+-]\d{2}:\d{2}$/.test(args[2]) || Number.isNaN(timestampMs)) {
          throw new CommandError('date must be ISO-8601 with a zone, e.g. 2026-11-20T18:00:00-03:00');
        }
        timestampMs = Math.floor(timestampMs / 1000) * 1000;
      }
      return { kind: 'send', meter: meter - 1, valor, timestampMs };
    }
    case 'status':
      return { kind: 'status' };
    case '?':
    case 'h':
    case 'help':
      return { kind: 'help' };
    case 'q':
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    default:
      throw new CommandError(`unknown command "${word}"; type help`);
  }
}
