// Argument parsers shared by the command line and the interactive prompts: bad input never reaches the API,
// and what is wrong with it is said in the user's language (argumentParsers(words)).
import { InvalidArgumentError } from 'commander';
import { isValidCpf } from '../core/cpf';
import { fromLocal } from '../core/periods';
import type { CliKey } from '../i18n/cli';

type Say = (key: CliKey) => string;
const fail = (say: Say, key: CliKey) => new InvalidArgumentError(say(key));

export const DEFAULT_URL = 'http://localhost:8888';
/** The zone Luz's calendar uses (the API's LUZ_TZ); zone-less dates typed by a user mean this zone. */
export const DEFAULT_TIME_ZONE = 'America/Bahia';

/** A CPF, masked or bare, as 11 digits. */
function cpfArgument(say: Say, value: string): string {
  const text = value.trim();
  if (!/^(\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})$/.test(text)) throw fail(say, 'parse.cpfShape');
  const digits = text.replace(/\D/g, '');
  if (!isValidCpf(digits)) throw fail(say, 'parse.cpfDigits');
  return digits;
}

export const CONNECTION_TYPES = ['monofasico', 'bifasico', 'trifasico'] as const;

/** The customer's connection type, with or without accents (monofásico, monofasico). */
function connectionArgument(say: Say, value: string): string {
  const connection = value.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  if (!(CONNECTION_TYPES as readonly string[]).includes(connection)) throw fail(say, 'parse.connection');
  return connection;
}

/** A meter id: 1, 2, 3… */
function meterArgument(say: Say, value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) throw fail(say, 'parse.meter');
  return Number(value);
}

/** kWh as typed by a person: 1.5 or 1,5 (Brazilian decimal comma), never negative. */
function kwhArgument(say: Say, value: string): number {
  const text = value.trim();
  if (!/^\d+([.,]\d+)?$/.test(text)) throw fail(say, 'parse.kwh');
  return Number(text.replace(',', '.'));
}

/** A month as YYYY-MM. */
function monthArgument(say: Say, value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw fail(say, 'parse.month');
  return match[0];
}

function kindArgument(say: Say, value: string): 'D' | 'M' | 'Y' {
  const kind = value.trim().toUpperCase();
  if (kind !== 'D' && kind !== 'M' && kind !== 'Y') throw fail(say, 'parse.kind');
  return kind;
}

/** How many periods back: 0 is the current one. */
function periodsBackArgument(say: Say, value: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw fail(say, 'parse.periodo');
  return Number(value);
}

function limitArgument(say: Say, value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1 || Number(value) > 1000) throw fail(say, 'parse.limit');
  return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** An interval such as 30s, 2m, 1h or 1500ms (a bare number is seconds); at least one second. */
function intervalArgument(say: Say, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw fail(say, 'parse.interval');
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
  // Faster polling would only load the API without showing anything new.
  if (ms < 1000) throw fail(say, 'parse.intervalMin');
  return ms;
}

/** The API's base URL (http or https, any path prefix kept, no trailing slash). */
function urlArgument(say: Say, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(say, 'parse.url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(say, 'parse.urlScheme');
  return url.href.replace(/\/+$/, '');
}

const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/;
const BRAZILIAN = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * When a reading happened, as Unix seconds (what the API stores). Accepts `now`, Unix seconds,
 * ISO-8601 with a zone, and ISO-8601 or DD/MM/YYYY [HH:MM[:SS]] without one, read in `timeZone`.
 */
function whenArgument(say: Say, value: string, nowMs: number, timeZone: string): number {
  const text = value.trim();
  if (text === 'now' || text === 'agora') return nowMs / 1000;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (ZONED.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(ms) && calendarDateExists(text.slice(0, 10))) return ms / 1000;
    throw fail(say, 'parse.realDate');
  }
  const iso = ISO_LOCAL.exec(text);
  const brazilian = BRAZILIAN.exec(text);
  if (!iso && !brazilian) throw fail(say, 'parse.date');
  const [year, month, day, hour, minute, second, fraction] = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6], iso[7]]
    : [brazilian![3], brazilian![2], brazilian![1], brazilian![4], brazilian![5], brazilian![6], undefined];
  const fields = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'].map(Number);
  if (!calendarDateExists(`${year}-${month}-${day}`) || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) throw fail(say, 'parse.realDate');
  const hourStart = fromLocal(fields[0], fields[1], fields[2], fields[3], timeZone);
  const ms = hourStart + fields[4] * 60_000 + fields[5] * 1000 + Math.round(Number(fraction ?? 0) * 1000);
  return ms / 1000;
}

function calendarDateExists(isoDate: string): boolean {
  const [year, month, day] = isoDate.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Every parser, its messages in `say`'s language (commander passes each parser only the value). */
export function argumentParsers(say: Say) {
  return {
    cpf: (value: string) => cpfArgument(say, value),
    connection: (value: string) => connectionArgument(say, value),
    meter: (value: string) => meterArgument(say, value),
    kwh: (value: string) => kwhArgument(say, value),
    month: (value: string) => monthArgument(say, value),
    kind: (value: string) => kindArgument(say, value),
    periodsBack: (value: string) => periodsBackArgument(say, value),
    limit: (value: string) => limitArgument(say, value),
    interval: (value: string) => intervalArgument(say, value),
    url: (value: string) => urlArgument(say, value),
    when: (value: string, nowMs: number, timeZone: string) => whenArgument(say, value, nowMs, timeZone),
  };
}

export type ArgumentParsers = ReturnType<typeof argumentParsers>;
