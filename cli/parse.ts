// Argument parsers shared by the command line and the interactive prompts: bad input never reaches the API.
import { InvalidArgumentError } from 'commander';
import { parseCpf } from '../core/cpf';
import { fromLocal } from '../core/periods';

export const DEFAULT_URL = 'http://localhost:8888';
/** The zone Luz's calendar uses (the API's LUZ_TZ); zone-less dates typed by a user mean this zone. */
export const DEFAULT_TIME_ZONE = 'America/Bahia';

/** A CPF, masked or bare, as 11 digits. */
export function cpfArgument(value: string): string {
  try {
    return parseCpf(value.trim());
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export const CONNECTION_TYPES = ['monofasico', 'bifasico', 'trifasico'] as const;

/** The customer's connection type, with or without accents (monofásico, monofasico). */
export function connectionArgument(value: string): string {
  const connection = value.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  if (!(CONNECTION_TYPES as readonly string[]).includes(connection)) {
    throw new InvalidArgumentError('the connection is monofasico, bifasico or trifasico');
  }
  return connection;
}

/** A meter id: 1, 2, 3… */
export function meterArgument(value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a meter id is a whole number from 1');
  return Number(value);
}

/** kWh as typed by a person: 1.5 or 1,5 (Brazilian decimal comma), never negative. */
export function kwhArgument(value: string): number {
  const text = value.trim();
  if (!/^\d+([.,]\d+)?$/.test(text)) throw new InvalidArgumentError('kWh is a number such as 1.5 or 1,5 (no thousands separator)');
  return Number(text.replace(',', '.'));
}

/** A month as YYYY-MM. */
export function monthArgument(value: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(value.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new InvalidArgumentError('a month is YYYY-MM, e.g. 2026-11');
  return match[0];
}

export function kindArgument(value: string): 'D' | 'M' | 'Y' {
  const kind = value.trim().toUpperCase();
  if (kind !== 'D' && kind !== 'M' && kind !== 'Y') throw new InvalidArgumentError('kind is D (day), M (month) or Y (year)');
  return kind;
}

/** How many periods back: 0 is the current one. */
export function periodsBackArgument(value: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new InvalidArgumentError('periodo is a whole number, 0 for the current period');
  return Number(value);
}

export function limitArgument(value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw new InvalidArgumentError('limit is a whole number from 1 to 1000');
  }
  return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** An interval such as 30s, 2m, 1h or 1500ms (a bare number is seconds); at least one second. */
export function intervalArgument(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('an interval is a number with a unit: 30s, 2m, 1h');
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
  // Faster polling would only load the API without showing anything new.
  if (ms < 1000) throw new InvalidArgumentError('the interval must be at least 1s');
  return ms;
}

/** The API's base URL (http or https, any path prefix kept, no trailing slash). */
export function urlArgument(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('not a URL, e.g. http://localhost:8888');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('the URL must start with http:// or https://');
  return url.href.replace(/\/+$/, '');
}

const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/;
const BRAZILIAN = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * When a reading happened, as Unix seconds (what the API stores). Accepts `now`, Unix seconds,
 * ISO-8601 with a zone, and ISO-8601 or DD/MM/YYYY [HH:MM[:SS]] without one, read in `timeZone`.
 */
export function whenArgument(value: string, nowMs: number, timeZone: string): number {
  const text = value.trim();
  if (text === 'now' || text === 'agora') return nowMs / 1000;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (ZONED.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(ms) && calendarDateExists(text.slice(0, 10))) return ms / 1000;
    throw new InvalidArgumentError('not a real date');
  }
  const iso = ISO_LOCAL.exec(text);
  const brazilian = BRAZILIAN.exec(text);
  if (!iso && !brazilian) {
    throw new InvalidArgumentError('a date is ISO-8601 (2026-11-25T14:30, 2026-11-25T14:30:00-03:00), DD/MM/YYYY HH:MM, Unix seconds or now');
  }
  const [year, month, day, hour, minute, second, fraction] = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6], iso[7]]
    : [brazilian![3], brazilian![2], brazilian![1], brazilian![4], brazilian![5], brazilian![6], undefined];
  const fields = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'].map(Number);
  if (!calendarDateExists(`${year}-${month}-${day}`) || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
    throw new InvalidArgumentError('not a real date');
  }
  const hourStart = fromLocal(fields[0], fields[1], fields[2], fields[3], timeZone);
  const ms = hourStart + fields[4] * 60_000 + fields[5] * 1000 + Math.round(Number(fraction ?? 0) * 1000);
  return ms / 1000;
}

function calendarDateExists(isoDate: string): boolean {
  const [year, month, day] = isoDate.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
