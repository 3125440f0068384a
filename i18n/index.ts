// Words and numbers a person reads, from the API's codes and numbers: pt-BR by default, English on request.
// Shared by the web app and the `luz` CLI; pure (Intl only), so it runs in the browser and in Node alike.
import { en } from './en';
import { ptBR, type MessageKey } from './pt-BR';

export type { MessageKey } from './pt-BR';
export type Lang = 'pt-BR' | 'en';

const CATALOGS: Record<Lang, Record<MessageKey, string>> = { 'pt-BR': ptBR, en };

/** The first of the asked languages Luz speaks (navigator.languages, LANG, --lang); pt-BR otherwise. */
export function pickLanguage(candidates: readonly (string | undefined)[]): Lang {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const tag = candidate.toLowerCase().replace('_', '-');
    if (tag.startsWith('pt')) return 'pt-BR';
    if (tag.startsWith('en')) return 'en';
  }
  return 'pt-BR';
}

/** A language from POSIX variables (LC_ALL, LC_MESSAGES, LANG): `C`/`POSIX` say nothing, so pt-BR. */
export function languageFromEnv(env: Record<string, string | undefined>): Lang {
  return pickLanguage([env.LC_ALL, env.LC_MESSAGES, env.LANG].filter((value) => value && !/^(C|POSIX)(\.|$)/.test(value)));
}

export type Params = Record<string, string | number>;

/** The API's reason fields for an alarm rule (core/alarms.ts AlarmReason); unknown rules keep their message. */
export interface ReasonFields {
  regra: string;
  mensagem?: string;
  [field: string]: unknown;
}

export interface I18n {
  lang: Lang;
  timeZone: string;
  t(key: MessageKey, params?: Params): string;
  number(value: number, maxFractionDigits?: number): string;
  /** R$ 1.234,56 (unit prices may keep more decimals). */
  money(value: number, maxFractionDigits?: number): string;
  kwh(value: number): string;
  /** An instant (ISO or Unix ms) as dd/mm/aaaa in the Luz time zone; a YYYY-MM-DD date as is. */
  date(value: string | number): string;
  /** dd/mm/aaaa hh:mm in the Luz time zone. */
  dateTime(value: string | number): string;
  /** 2026-11 → "novembro de 2026" / "November 2026". */
  month(key: string): string;
  /** 2026-11 → "nov/2026" (chart labels). */
  shortMonth(key: string): string;
  /** An alarm reason in words, from its rule and numbers. */
  reason(reason: ReasonFields): string;
  ruleName(rule: string): string;
  /** Why the gateway refused a datagram, from its reply code (unknown codes as they are). */
  rejection(code: string): string;
  /** An API error (status, code, field, message) in words. */
  error(failure: { status: number; code?: string; field?: string; message?: string }): string;
}

// Intl formatters are costly to build and cheap to reuse.
const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let format = formats.get(key) as T | undefined;
  if (!format) formats.set(key, (format = make()));
  return format;
}

// A copied amount must not carry an invisible no-break space.
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const isKnownKey = (key: string): key is MessageKey => key in ptBR;

export function createI18n(lang: Lang, timeZone: string): I18n {
  const catalog = CATALOGS[lang];
  const locale = lang === 'pt-BR' ? 'pt-BR' : 'en-GB'; // en-GB: day before month, as Brazilians expect
  const t = (key: MessageKey, params: Params = {}) =>
    catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  const number = (value: number, maxFractionDigits = 3) =>
    plainSpaces(cached(`${locale}n${maxFractionDigits}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits })).format(value));
  const money = (value: number, maxFractionDigits = 2) =>
    plainSpaces(
      cached(
        `${locale}m${maxFractionDigits}`,
        () => new Intl.NumberFormat(locale, { style: 'currency', currency: 'BRL', minimumFractionDigits: 2, maximumFractionDigits: maxFractionDigits }),
      ).format(value),
    );
  const kwh = (value: number) => `${number(value)} kWh`;
  const instant = (value: string | number) => (typeof value === 'number' ? value : Date.parse(value));
  const date = (value: string | number) => {
    const plain = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
    if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
    const ms = instant(value);
    if (!Number.isFinite(ms)) return String(value);
    return cached(`${locale}d${timeZone}`, () => new Intl.DateTimeFormat(locale, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' })).format(ms);
  };
  const dateTime = (value: string | number) => {
    const ms = instant(value);
    if (!Number.isFinite(ms)) return String(value);
    const time = cached(`${locale}t${timeZone}`, () => new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).format(ms);
    return `${date(ms)} ${time}`;
  };
  const monthDate = (key: string) => {
    const [year, month] = key.split('-').map(Number);
    return Date.UTC(year, month - 1, 15, 12);
  };
  const month = (key: string) =>
    cached(`${locale}M`, () => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'long', year: 'numeric' })).format(monthDate(key));
  const shortMonth = (key: string) => {
    const name = cached(`${locale}S`, () => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short' })).format(monthDate(key));
    return `${name.replace('.', '')}/${key.slice(0, 4)}`;
  };
  const ruleName = (rule: string) => (isKnownKey(`rule.${rule}`) ? t(`rule.${rule}` as MessageKey) : rule);
  const rejection = (code: string) => (isKnownKey(`reject.${code}`) ? t(`reject.${code}` as MessageKey) : code);
  const reason = (fields: ReasonFields) => {
    const n = (name: string) => (typeof fields[name] === 'number' ? (fields[name] as number) : 0);
    const params: Params = {
      valor: kwh(n('valor')),
      limite: kwh(n('limite')),
      mediana: kwh(n('mediana')),
      kwhAteAgora: kwh(n('kwhAteAgora')),
      fator: number(n('fator')),
      diasDecorridos: number(n('diasDecorridos'), 2),
      diasNoMes: number(n('diasNoMes')),
      id_medidor: String(fields.id_medidor ?? ''),
      minutos: number(n('minutosSemLeitura')),
      quando: typeof fields.timestamp === 'number' ? dateTime(fields.timestamp * 1000) : '',
      desde: typeof fields.ultimaLeitura === 'string' ? dateTime(fields.ultimaLeitura) : '',
    };
    if (fields.regra === 'medidor_silencioso') {
      return t(fields.ultimaLeitura ? 'reason.medidor_silencioso' : 'reason.medidor_silencioso.never', params);
    }
    const key = `reason.${fields.regra}`;
    if (isKnownKey(key)) return t(key, params);
    return typeof fields.mensagem === 'string' ? fields.mensagem : fields.regra;
  };
  const error = (failure: { status: number; code?: string; field?: string; message?: string }) => {
    const code = failure.code ?? (failure.status === 401 ? 'unauthorized' : failure.status === 403 ? 'forbidden' : '');
    if (code === 'invalid_input') {
      const fieldKey = `field.${failure.field}`;
      const field = failure.field ? ` (${isKnownKey(fieldKey) ? t(fieldKey as MessageKey) : failure.field})` : '';
      // The API's validation message is English and names the field first; the words after it are the detail.
      const detail = (failure.message ?? '').replace(/^\w+: /, '');
      return t('error.invalid_input', { field, message: detail });
    }
    if (code === 'forbidden' && /staff only/.test(failure.message ?? '')) return t('error.forbiddenStaff');
    const key = `error.${code}`;
    if (isKnownKey(key)) return t(key);
    return t('error.other', { status: failure.status, message: failure.message ?? '' });
  };
  return { lang, timeZone, t, number, money, kwh, date, dateTime, month, shortMonth, reason, ruleName, rejection, error };
}
