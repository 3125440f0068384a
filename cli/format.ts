// Human output in the user's language (pt-BR by default): the invoice table, the history bar chart, the alarm.
// Pure functions; numbers, money (R$ 1.234,56), dates (dd/mm/aaaa in LUZ_TZ) and alarm reasons come from i18n/.
import { formatCpf } from '../core/cpf';
import { toLocal } from '../core/periods';
import type { CliWords } from '../i18n/cli';
import type { Alarm, AlarmEvent, AlarmReason, Customer, CustomerToken, History, Invoice, InvoiceLine, Meter, RecordedReading } from './api';
import { stripAnsi, type Style } from './style';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 25/11/2026 13:05:09 in the Luz time zone (day first in both languages, as Brazilians read it). */
export function formatDateTime(instantMs: number, timeZone: string): string {
  const t = toLocal(instantMs, timeZone);
  return `${pad2(t.day)}/${pad2(t.month)}/${t.year} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
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

/** The words and the colours of one output stream. */
export interface View {
  words: CliWords;
  style: Style;
}

const kwhOf = (words: CliWords, value: number) => words.kwh(value);

/** A date (2026-12-15) or an instant from the API as dd/mm/aaaa in the Luz zone. */
const dateOf = (words: CliWords, text: string) => words.date(text);

/**
 * A secret the API hands out once (customer token, meter secret): whole, on its own line, since
 * this is the only time anyone sees it, and what to do with it.
 */
function shownOnce(label: string, secret: string, advice: string, { words, style }: View): string[] {
  return [`  ${label}: ${style.bold(secret)}`, `  ${style.yellow('!')} ${advice}: ${words.say('out.shownOnce')}`];
}

export function renderCustomer(customer: Customer, view: View): string {
  const { words, style } = view;
  const since = formatDateTime(Date.parse(customer.createdAt), words.timeZone);
  const connection = customer.ligacao ? ` · ${customer.ligacao}` : '';
  return [
    `${style.green('✓')} ${words.say('out.customerRegistered', { name: style.bold(customer.name), cpf: formatCpf(customer.id), connection, since })}`,
    ...(customer.token ? shownOnce(words.say('out.customerToken'), customer.token, words.say('out.giveToken'), view) : []),
  ].join('\n');
}

export function renderCustomerToken(issued: CustomerToken, view: View): string {
  const { words, style } = view;
  return [
    `${style.green('✓')} ${words.say('out.newToken', { cpf: formatCpf(issued.id), until: dateOf(words, issued.expiresAt) })}`,
    ...shownOnce(words.say('out.customerToken'), issued.token, words.say('out.giveToken'), view),
  ].join('\n');
}

export function renderMeter(meter: Meter, view: View): string {
  const { words, style } = view;
  return [
    `${style.green('✓')} ${words.say('out.meterRegistered', { meter: style.bold(String(meter.id_medidor)), cpf: formatCpf(meter.id) })}`,
    ...(typeof meter.segredo === 'string' && meter.segredo ? shownOnce(words.say('out.meterSecret'), meter.segredo, words.say('out.configureMeter'), view) : []),
  ].join('\n');
}

export function renderReading(reading: RecordedReading, { words, style }: View): string {
  const what = words.say('out.readingWhat', {
    kwh: kwhOf(words, reading.valor),
    meter: reading.id_medidor,
    cpf: formatCpf(reading.id),
    when: formatDateTime(reading.timestamp * 1000, words.timeZone),
  });
  return reading.duplicate
    ? `${style.yellow('=')} ${words.say('out.readingDuplicate', { what })}`
    : `${style.green('✓')} ${words.say('out.readingStored', { what })}`;
}

// A line measured in reais (a tax on a base amount) has money as its quantity and a rate as its price.
const isRateOnMoney = (line: InvoiceLine) => line.unidade === 'R$';

function quantityCell(words: CliWords, line: InvoiceLine): string {
  if (typeof line.quantidade !== 'number') return '';
  if (isRateOnMoney(line)) return words.money(line.quantidade);
  return line.unidade ? `${words.number(line.quantidade)} ${line.unidade}` : words.number(line.quantidade);
}

function unitPriceCell(words: CliWords, line: InvoiceLine): string {
  if (typeof line.precoUnitario !== 'number') return '';
  if (isRateOnMoney(line)) return `${words.number(line.precoUnitario * 100, 4)}%`;
  // Tariffs are published with more than two decimals (R$ 0,32951/kWh); show them as published.
  const price = words.money(line.precoUnitario, 6);
  return line.unidade ? `${price}/${line.unidade}` : price;
}

/** Open (a preview) or closed (number, issue and due dates), when the API says. */
function invoiceStatus(words: CliWords, invoice: Invoice): string {
  if (invoice.situacao === 'aberta') return ` · ${words.say('out.invoiceOpen')}`;
  if (invoice.situacao !== 'fechada') return invoice.situacao ? ` · ${invoice.situacao}` : '';
  const parts = [words.say('out.invoiceClosed')];
  if (invoice.numero) parts.push(words.say('out.invoiceNumber', { number: invoice.numero }));
  if (invoice.emissao) parts.push(words.say('out.invoiceIssued', { date: dateOf(words, invoice.emissao) }));
  if (invoice.vencimento) parts.push(words.say('out.invoiceDue', { date: dateOf(words, invoice.vencimento) }));
  return ` · ${parts.join(' · ')}`;
}

/** The invoice as a table of its lines (whatever lines the API sends) and the total. */
export function renderInvoice(invoice: Invoice, { words, style }: View): string {
  const [year, month] = invoice.mes.split('-');
  const rows = invoice.itens.map((line) => [line.descricao, quantityCell(words, line), unitPriceCell(words, line), words.money(line.valor)]);
  const table = renderTable(
    [words.say('out.item'), words.say('out.quantity'), words.say('out.unitPrice'), words.say('out.amount')],
    rows,
    ['left', 'right', 'right', 'right'],
    style,
    [words.say('out.total'), '', '', words.money(invoice.valor)],
  );
  // Per-meter kWh only says something when there is more than one meter.
  const meters =
    invoice.medidores && invoice.medidores.length > 1
      ? ` (${invoice.medidores.map(({ id_medidor, kwh }) => words.say('out.meterKwh', { meter: id_medidor, kwh: kwhOf(words, kwh) })).join(', ')})`
      : '';
  return [
    style.bold(words.say('out.invoice', { month: `${month}/${year}` })) + ` · CPF ${formatCpf(invoice.id)}${invoiceStatus(words, invoice)}`,
    ...(invoice.tarifa ? [words.say('out.tariff', { name: invoice.tarifa })] : []),
    words.say('out.consumption', { kwh: kwhOf(words, invoice.kwh), meters }),
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

function periodTitle(words: CliWords, history: History): string {
  const [year, month, day] = history.inicio.slice(0, 10).split('-');
  if (history.kind === 'D') return words.say('out.day', { date: `${day}/${month}/${year}` });
  if (history.kind === 'M') return words.say('out.month', { month: `${month}/${year}` });
  return words.say('out.year', { year });
}

/** The period's series as a bar chart (one row per bucket) and its total. */
export function renderHistory(history: History, { words, style }: View, columns = 80): string {
  const labels = history.series.map(({ bucket }) => bucketLabel(bucket));
  const values = history.series.map(({ kwh }) => kwhOf(words, kwh));
  const labelWidth = Math.max(0, ...labels.map((label) => label.length));
  const valueWidth = Math.max(0, ...values.map((value) => value.length));
  const barWidth = Math.max(10, Math.min(50, columns - labelWidth - valueWidth - 6));
  const max = Math.max(0, ...history.series.map(({ kwh }) => kwh));
  const rows = history.series.map(({ kwh }, index) => {
    const drawn = bar(kwh, max, barWidth);
    return `${labels[index].padStart(labelWidth)} │${style.cyan(drawn)}${' '.repeat(barWidth - drawn.length)} ${values[index].padStart(valueWidth)}`;
  });
  const ago = history.periodo === 0 ? words.say('out.current') : words.say('out.back', { n: history.periodo });
  const readings = history.consumo.length;
  const page = history.cursor ? words.say('out.firstPage', { n: readings, cursor: history.cursor }) : '';
  return [
    style.bold(words.say('out.history', { period: periodTitle(words, history) })) + ` (${ago}) · CPF ${formatCpf(history.id)}`,
    style.dim(`${history.inicio} → ${history.fim}`),
    '',
    ...rows,
    '',
    `${style.bold(words.say('out.historyTotal'))} ${kwhOf(words, history.soma)} · ${readings === 1 ? words.say('out.reading') : words.say('out.readings', { n: readings })}${page}`,
  ].join('\n');
}

/**
 * A reason in words, from its rule and numbers (the API's `mensagem` is English, for logs); a rule
 * this client does not know yet keeps the API's message, or says every field it carries.
 */
function reasonLine(reason: AlarmReason, { words, style }: View): string {
  const known = words.ruleName(reason.regra) !== reason.regra;
  const text = known ? words.reason(reason) : typeof reason.mensagem === 'string' && reason.mensagem ? reason.mensagem : describeFields(words, reason);
  return `  ${style.red('✗')} ${text} ${style.dim(`[${reason.regra}]`)}`;
}

function describeFields(words: CliWords, reason: AlarmReason): string {
  return Object.entries(reason)
    .filter(([key]) => key !== 'regra' && key !== 'mensagem')
    .map(([key, value]) => `${key}: ${typeof value === 'number' ? words.number(value) : String(value)}`)
    .join(', ');
}

export const isExcess = (alarm: Alarm) => alarm.alarme !== 'Ok!';

/** A rule in words, and its meter when it is about one: `Medidor sem enviar leituras (medidor 2)`. */
const ruleName = (words: CliWords, reason: { regra: string; id_medidor?: number }) =>
  reason.id_medidor !== undefined ? words.say('out.ruleMeter', { rule: words.ruleName(reason.regra), meter: reason.id_medidor }) : words.ruleName(reason.regra);

const EVENTS_SHOWN = 5;

function eventLine(event: AlarmEvent, { words, style }: View): string {
  const from = formatDateTime(Date.parse(event.disparadoEm), words.timeZone);
  const until = event.encerradoEm ? formatDateTime(Date.parse(event.encerradoEm), words.timeZone) : style.red(words.say('out.ongoing'));
  return `  ${from} → ${until}  ${ruleName(words, event)}`;
}

/** The alarm's verdict in colour, the month's kWh, every reason the API gives and its latest events. */
export function renderAlarm(alarm: Alarm, view: View): string {
  const { words, style } = view;
  const [year, month] = alarm.mes.split('-');
  // The verdict stays the API's own word (Excesso! / Ok!): it is the contract's, in both languages.
  const verdict = isExcess(alarm) ? style.alert(`⚠ ${alarm.alarme}`) : style.ok(`✓ ${alarm.alarme}`);
  const lines = [
    `${style.bold(words.say('out.alarm'))} · CPF ${formatCpf(alarm.id)} · ${words.say('out.alarmMonth', { month: `${month}/${year}` })}: ${verdict}`,
    words.say('out.monthConsumption', { kwh: kwhOf(words, alarm.kwhMes) }),
  ];
  if (alarm.motivos.length > 0) lines.push(words.say('out.reasons'), ...alarm.motivos.map((reason) => reasonLine(reason, view)));
  const events = alarm.eventos ?? [];
  if (events.length > 0) {
    const more = events.length > EVENTS_SHOWN ? style.dim(words.say('out.latestEvents', { shown: EVENTS_SHOWN, total: events.length })) : '';
    lines.push(`${words.say('out.events')}${more}`, ...events.slice(0, EVENTS_SHOWN).map((event) => eventLine(event, view)));
  }
  return lines.join('\n');
}

/**
 * What changed between two checks of the alarm, in one line (empty when nothing did). A reason
 * counts by its rule and meter: its figures move on their own (minutes a meter has been silent,
 * the month's projection), and reprinting the alarm every minute for that would hide real changes.
 */
export function describeAlarmChange(before: Alarm, after: Alarm, words: CliWords): string {
  const changes: string[] = [];
  if (before.alarme !== after.alarme) changes.push(`${before.alarme} → ${after.alarme}`);
  if (before.mes !== after.mes) changes.push(words.say('out.changeMonth', { before: before.mes, after: after.mes }));
  if (before.kwhMes !== after.kwhMes) changes.push(words.say('out.changeKwh', { before: kwhOf(words, before.kwhMes), after: kwhOf(words, after.kwhMes) }));
  const rulesBefore = new Set(before.motivos.map((reason) => ruleName(words, reason)));
  const rulesAfter = new Set(after.motivos.map((reason) => ruleName(words, reason)));
  const added = [...rulesAfter].filter((rule) => !rulesBefore.has(rule));
  const cleared = [...rulesBefore].filter((rule) => !rulesAfter.has(rule));
  if (added.length > 0) changes.push(words.say('out.changeNew', { rules: added.join(', ') }));
  if (cleared.length > 0) changes.push(words.say('out.changeCleared', { rules: cleared.join(', ') }));
  return changes.join(', ');
}
