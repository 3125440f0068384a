// Human output: pt-BR numbers and money, the invoice table, the history bar chart, the alarm. Pure functions.
import { formatCpf } from '../core/cpf';
import { toLocal } from '../core/periods';
import type { Alarm, AlarmEvent, AlarmReason, Customer, CustomerToken, History, Invoice, InvoiceLine, Meter, RecordedReading } from './api';
import { stripAnsi, type Style } from './style';

// The terminal should not turn a copied amount into something with an invisible character in it.
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const numberFormats = new Map<string, Intl.NumberFormat>();
function cachedFormat(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = make()));
  return format;
}

/** 1234.5 → "1.234,5" (pt-BR), at most `maxFractionDigits` decimals. */
export function formatNumber(value: number, maxFractionDigits = 3): string {
  const format = cachedFormat(`n${maxFractionDigits}`, () => new Intl.NumberFormat('pt-BR', { maximumFractionDigits: maxFractionDigits }));
  return plainSpaces(format.format(value));
}

/** 1234.5 → "R$ 1.234,50"; unit prices keep their extra decimals (R$ 0,65432). */
export function formatMoney(value: number, maxFractionDigits = 2): string {
  const format = cachedFormat(
    `m${maxFractionDigits}`,
    () => new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL', minimumFractionDigits: 2, maximumFractionDigits: maxFractionDigits }),
  );
  return plainSpaces(format.format(value));
}

export const formatKwh = (value: number) => `${formatNumber(value)} kWh`;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 25/11/2026 13:05:09 in the Luz time zone. */
export function formatDateTime(instantMs: number, timeZone: string): string {
  const t = toLocal(instantMs, timeZone);
  return `${pad2(t.day)}/${pad2(t.month)}/${t.year} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
}

/** A date (2026-12-15) or an instant (2026-12-01T10:00:00-03:00) from the API as 15/12/2026. */
export function formatDate(text: string, timeZone: string): string {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) return `${date[3]}/${date[2]}/${date[1]}`;
  const instant = Date.parse(text);
  return Number.isFinite(instant) ? formatDateTime(instant, timeZone).slice(0, 10) : text;
}

const visibleLength = (text: string) => stripAnsi(text).normalize('NFC').length;

/** Columns padded to the widest cell; numbers align right. */
export function renderTable(header: string[], rows: string[][], align: ('left' | 'right')[], style: Style, footer?: string[]): string[] {
  const all = [header, ...rows, ...(footer ? [footer] : [])];
  const widths = header.map((_, column) => Math.max(...all.map((row) => visibleLength(row[column] ?? ''))));
  const line = (row: string[]) =>
    row
      .map((cell, column) => {
        const padding = ' '.repeat(widths[column] - visibleLength(cell));
        return align[column] === 'right' ? padding + cell : cell + padding;
      })
      .join('   ')
      .trimEnd();
  const rule = style.dim('─'.repeat(widths.reduce((sum, width) => sum + width, 0) + 3 * (widths.length - 1)));
  return [
    style.bold(line(header)),
    rule,
    ...rows.map(line),
    ...(footer ? [rule, style.bold(line(footer))] : []),
  ];
}

/**
 * A secret the API hands out once (customer token, meter secret): whole, on its own line, since
 * this is the only time anyone sees it, and what to do with it.
 */
function shownOnce(label: string, secret: string, advice: string, style: Style): string[] {
  return [`  ${label}: ${style.bold(secret)}`, `  ${style.yellow('!')} ${advice}: it is shown only once`];
}

export function renderCustomer(customer: Customer, timeZone: string, style: Style): string {
  const since = formatDateTime(Date.parse(customer.createdAt), timeZone);
  const connection = customer.ligacao ? ` · ${customer.ligacao}` : '';
  return [
    `${style.green('✓')} Customer registered: ${style.bold(customer.name)} · CPF ${formatCpf(customer.id)}${connection} · ${since}`,
    ...(customer.token ? shownOnce('Customer token', customer.token, 'Give this token to the customer (they run luz entrar <token>)', style) : []),
  ].join('\n');
}

export function renderCustomerToken(issued: CustomerToken, timeZone: string, style: Style): string {
  return [
    `${style.green('✓')} New customer token for CPF ${formatCpf(issued.id)}, valid until ${formatDate(issued.expiresAt, timeZone)}; the previous one no longer works`,
    ...shownOnce('Customer token', issued.token, 'Give this token to the customer (they run luz entrar <token>)', style),
  ].join('\n');
}

export function renderMeter(meter: Meter, style: Style): string {
  return [
    `${style.green('✓')} Meter ${style.bold(String(meter.id_medidor))} registered for CPF ${formatCpf(meter.id)}`,
    ...(typeof meter.segredo === 'string' && meter.segredo ? shownOnce('Meter secret', meter.segredo, 'Configure the meter with this secret', style) : []),
  ].join('\n');
}

export function renderReading(reading: RecordedReading, timeZone: string, style: Style): string {
  const what = `${formatKwh(reading.valor)} on meter ${reading.id_medidor} of CPF ${formatCpf(reading.id)} at ${formatDateTime(reading.timestamp * 1000, timeZone)}`;
  return reading.duplicate
    ? `${style.yellow('=')} Already stored, not counted again: ${what}`
    : `${style.green('✓')} Reading stored: ${what}`;
}

// A line measured in reais (a tax on a base amount) has money as its quantity and a rate as its price.
const isRateOnMoney = (line: InvoiceLine) => line.unidade === 'R$';

function quantityCell(line: InvoiceLine): string {
  if (typeof line.quantidade !== 'number') return '';
  if (isRateOnMoney(line)) return formatMoney(line.quantidade);
  return line.unidade ? `${formatNumber(line.quantidade)} ${line.unidade}` : formatNumber(line.quantidade);
}

function unitPriceCell(line: InvoiceLine): string {
  if (typeof line.precoUnitario !== 'number') return '';
  if (isRateOnMoney(line)) return `${formatNumber(line.precoUnitario * 100, 4)}%`;
  // Tariffs are published with more than two decimals (R$ 0,32951/kWh); show them as published.
  const price = formatMoney(line.precoUnitario, 6);
  return line.unidade ? `${price}/${line.unidade}` : price;
}

/** Open (a preview) or closed (number, issue and due dates), when the API says. */
function invoiceStatus(invoice: Invoice, timeZone: string): string {
  if (invoice.situacao === 'aberta') return ' · open (preview: follows the readings)';
  if (invoice.situacao !== 'fechada') return invoice.situacao ? ` · ${invoice.situacao}` : '';
  const parts = ['closed'];
  if (invoice.numero) parts.push(`nº ${invoice.numero}`);
  if (invoice.emissao) parts.push(`issued ${formatDate(invoice.emissao, timeZone)}`);
  if (invoice.vencimento) parts.push(`due ${formatDate(invoice.vencimento, timeZone)}`);
  return ` · ${parts.join(' · ')}`;
}

/** The invoice as a table of its lines (whatever lines the API sends) and the total. */
export function renderInvoice(invoice: Invoice, style: Style, timeZone: string): string {
  const [year, month] = invoice.mes.split('-');
  const rows = invoice.itens.map((line) => [line.descricao, quantityCell(line), unitPriceCell(line), formatMoney(line.valor)]);
  const table = renderTable(
    ['Item', 'Quantity', 'Unit price', 'Amount'],
    rows,
    ['left', 'right', 'right', 'right'],
    style,
    ['Total', '', '', formatMoney(invoice.valor)],
  );
  // Per-meter kWh only says something when there is more than one meter.
  const meters =
    invoice.medidores && invoice.medidores.length > 1
      ? ` (${invoice.medidores.map(({ id_medidor, kwh }) => `meter ${id_medidor}: ${formatKwh(kwh)}`).join(', ')})`
      : '';
  return [
    style.bold(`Invoice ${month}/${year}`) + ` · CPF ${formatCpf(invoice.id)}${invoiceStatus(invoice, timeZone)}`,
    ...(invoice.tarifa ? [`Tariff: ${invoice.tarifa}`] : []),
    `Consumption: ${formatKwh(invoice.kwh)}${meters}`,
    '',
    ...table,
  ].join('\n');
}

/** Bucket keys from the API (2026-11-25T13, 2026-11-25, 2026-11) as chart labels. */
export function bucketLabel(bucket: string): string {
  let match = /^\d{4}-\d{2}-\d{2}T(\d{2})$/.exec(bucket);
  if (match) return `${match[1]}h`;
  match = /^\d{4}-(\d{2})-(\d{2})$/.exec(bucket);
  if (match) return `${match[2]}/${match[1]}`;
  match = /^(\d{4})-(\d{2})$/.exec(bucket);
  if (match) return `${match[2]}/${match[1]}`;
  return bucket;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value / max` of `width` cells, in eighths of a cell; any non-zero value shows. */
export function bar(value: number, max: number, width: number): string {
  if (value <= 0 || max <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

function periodTitle(history: History): string {
  const [year, month, day] = history.inicio.slice(0, 10).split('-');
  if (history.kind === 'D') return `day ${day}/${month}/${year}`;
  if (history.kind === 'M') return `month ${month}/${year}`;
  return `year ${year}`;
}

/** The period's series as a bar chart (one row per bucket) and its total. */
export function renderHistory(history: History, style: Style, columns = 80): string {
  const labels = history.series.map(({ bucket }) => bucketLabel(bucket));
  const values = history.series.map(({ kwh }) => formatKwh(kwh));
  const labelWidth = Math.max(0, ...labels.map((label) => label.length));
  const valueWidth = Math.max(0, ...values.map((value) => value.length));
  const barWidth = Math.max(10, Math.min(50, columns - labelWidth - valueWidth - 6));
  const max = Math.max(0, ...history.series.map(({ kwh }) => kwh));
  const rows = history.series.map(({ kwh }, index) => {
    const drawn = bar(kwh, max, barWidth);
    return `${labels[index].padStart(labelWidth)} │${style.cyan(drawn)}${' '.repeat(barWidth - drawn.length)} ${values[index].padStart(valueWidth)}`;
  });
  const ago = history.periodo === 0 ? 'current' : `${history.periodo} back`;
  const readings = history.consumo.length;
  const page = history.cursor ? ` (first ${readings}; more with --cursor ${history.cursor})` : '';
  return [
    style.bold(`Consumption, ${periodTitle(history)}`) + ` (${ago}) · CPF ${formatCpf(history.id)}`,
    style.dim(`${history.inicio} → ${history.fim}`),
    '',
    ...rows,
    '',
    `${style.bold('Total:')} ${formatKwh(history.soma)} · ${readings} reading${readings === 1 ? '' : 's'}${page}`,
  ].join('\n');
}

function reasonLine(reason: AlarmReason, style: Style): string {
  const text = typeof reason.mensagem === 'string' && reason.mensagem ? reason.mensagem : describeFields(reason);
  return `  ${style.red('✗')} ${text} ${style.dim(`[${reason.regra}]`)}`;
}

/** A reason without a message still says everything it carries. */
function describeFields(reason: AlarmReason): string {
  return Object.entries(reason)
    .filter(([key]) => key !== 'regra' && key !== 'mensagem')
    .map(([key, value]) => `${key}: ${typeof value === 'number' ? formatNumber(value) : String(value)}`)
    .join(', ');
}

export const isExcess = (alarm: Alarm) => alarm.alarme !== 'Ok!';

/** A rule, and its meter when it is about one: `medidor_silencioso (meter 2)`. */
const ruleName = (reason: { regra: string; id_medidor?: number }) =>
  reason.id_medidor !== undefined ? `${reason.regra} (meter ${reason.id_medidor})` : reason.regra;

const EVENTS_SHOWN = 5;

function eventLine(event: AlarmEvent, timeZone: string, style: Style): string {
  const from = formatDateTime(Date.parse(event.disparadoEm), timeZone);
  const until = event.encerradoEm ? formatDateTime(Date.parse(event.encerradoEm), timeZone) : style.red('ongoing');
  return `  ${from} → ${until}  ${ruleName(event)}`;
}

/** The alarm's verdict in colour, the month's kWh, every reason the API gives and its latest events. */
export function renderAlarm(alarm: Alarm, style: Style, timeZone: string): string {
  const [year, month] = alarm.mes.split('-');
  const verdict = isExcess(alarm) ? style.alert(`⚠ ${alarm.alarme}`) : style.ok(`✓ ${alarm.alarme}`);
  const lines = [
    `${style.bold('Alarm')} · CPF ${formatCpf(alarm.id)} · month ${month}/${year}: ${verdict}`,
    `Consumption this month: ${formatKwh(alarm.kwhMes)}`,
  ];
  if (alarm.motivos.length > 0) lines.push('Reasons:', ...alarm.motivos.map((reason) => reasonLine(reason, style)));
  const events = alarm.eventos ?? [];
  if (events.length > 0) {
    const more = events.length > EVENTS_SHOWN ? style.dim(` (latest ${EVENTS_SHOWN} of ${events.length}; all with --json)`) : '';
    lines.push(`Events:${more}`, ...events.slice(0, EVENTS_SHOWN).map((event) => eventLine(event, timeZone, style)));
  }
  return lines.join('\n');
}

/**
 * What changed between two checks of the alarm, in one line (empty when nothing did). A reason
 * counts by its rule and meter: its figures move on their own (minutes a meter has been silent,
 * the month's projection), and reprinting the alarm every minute for that would hide real changes.
 */
export function describeAlarmChange(before: Alarm, after: Alarm): string {
  const changes: string[] = [];
  if (before.alarme !== after.alarme) changes.push(`${before.alarme} → ${after.alarme}`);
  if (before.mes !== after.mes) changes.push(`month ${before.mes} → ${after.mes}`);
  if (before.kwhMes !== after.kwhMes) changes.push(`${formatKwh(before.kwhMes)} → ${formatKwh(after.kwhMes)} this month`);
  const rulesBefore = new Set(before.motivos.map(ruleName));
  const rulesAfter = new Set(after.motivos.map(ruleName));
  const added = [...rulesAfter].filter((rule) => !rulesBefore.has(rule));
  const cleared = [...rulesBefore].filter((rule) => !rulesAfter.has(rule));
  if (added.length > 0) changes.push(`new: ${added.join(', ')}`);
  if (cleared.length > 0) changes.push(`cleared: ${cleared.join(', ')}`);
  return changes.join(', ');
}
