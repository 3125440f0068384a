// Consumption alarms: five rules, each explained in `motivos` with its numbers, and the stored
// history of when each condition fired and cleared.
//
// When rules are evaluated (and transitions stored): on every getAlarme, after every reading
// stored through postConsumo, for the customers listed by the staff route, and by the scheduled
// sweep (avaliaAlarmes) for everyone — the only way a meter that went quiet, or a spike whose day
// ended, is noticed without anybody asking.
import { DEFAULT_ALARM_SETTINGS, type AlarmRule, type AlarmSettings, type Context } from './context';
import { Decimal } from './decimal';
import { CustomerNotFound, LuzError } from './errors';
import type { ActiveAlarm, AlarmAcknowledger, AlarmEvent, Meter } from './model';
import { bucketsOf, isoInZone, monthKeyOf, monthPeriod, toLocal } from './periods';

export interface AlarmReason {
  regra: AlarmRule;
  mensagem: string;
  limite: number;
  valor: number;
  mes?: string;
  dia?: string;
  id_medidor?: number;
  timestamp?: number;
  mediana?: number;
  fator?: number;
  kwhAteAgora?: number;
  diasDecorridos?: number;
  diasNoMes?: number;
  ultimaLeitura?: string | null;
  minutosSemLeitura?: number;
}

/**
 * One event as clients see it. Its lifecycle has two independent axes: active (encerradoEm null) or
 * cleared, and unacknowledged (reconhecidoEm null) or acknowledged — by 'staff' or 'cliente', never
 * by which credential.
 */
export interface AlarmEventView {
  regra: string;
  id_medidor?: number;
  disparadoEm: string;
  encerradoEm: string | null;
  reconhecidoEm: string | null;
  reconhecidoPor: AlarmAcknowledger | null;
  mensagem: string;
}

export interface Alarm {
  id: string;
  alarme: 'Excesso!' | 'Ok!';
  mes: string;
  kwhMes: number;
  motivos: AlarmReason[];
  /** Newest first: when each condition fired and, if it ended, when it cleared. */
  eventos: AlarmEventView[];
}

/** What the rules look at, gathered from the roll-ups and the meters. */
export interface AlarmInput {
  nowMs: number;
  timeZone: string;
  limitKwh: number;
  month: string;
  monthTotal: Decimal;
  largeReadings: { meterId: number; valor: number; timestampMs: number }[];
  /** kWh of today (local) and of each of the 7 days before it, oldest first (absent days are 0). */
  today: { day: string; kwh: Decimal };
  previousDays: Decimal[];
  meters: Meter[];
}

const round2 = (value: Decimal) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
const DAY_MS = 86_400_000;

function median(values: Decimal[]): Decimal {
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : sorted[middle - 1].plus(sorted[middle]).dividedBy(2);
}

/** Pure rule evaluation: every rule that holds now, with its numbers. */
export function evaluateAlarm(input: AlarmInput, settings: AlarmSettings = DEFAULT_ALARM_SETTINGS): AlarmReason[] {
  const on = (rule: AlarmRule) => settings.rules.includes(rule);
  const { limitKwh, month, monthTotal } = input;
  const motivos: AlarmReason[] = [];

  if (on('total_mensal') && monthTotal.greaterThan(limitKwh)) {
    motivos.push({
      regra: 'total_mensal',
      mensagem: `consumption this month (${monthTotal.toNumber()} kWh) is above the limit of ${limitKwh} kWh`,
      limite: limitKwh,
      valor: monthTotal.toNumber(),
      mes: month,
    });
  }

  if (on('leitura_individual')) {
    for (const reading of input.largeReadings.filter(({ valor }) => valor > limitKwh)) {
      motivos.push({
        regra: 'leitura_individual',
        mensagem: `meter ${reading.meterId} reported ${reading.valor} kWh in one reading at ${isoInZone(reading.timestampMs, input.timeZone)}, above the limit of ${limitKwh} kWh`,
        limite: limitKwh,
        valor: reading.valor,
        mes: month,
        id_medidor: reading.meterId,
        timestamp: reading.timestampMs / 1000,
      });
    }
  }

  if (on('pico_diario')) {
    const typical = median(input.previousDays);
    const threshold = typical.times(settings.spikeFactor);
    // With no typical consumption yet (a new customer, a week away) there is nothing to compare with.
    if (typical.greaterThan(0) && input.today.kwh.greaterThan(threshold)) {
      motivos.push({
        regra: 'pico_diario',
        mensagem: `consumption today (${input.today.kwh.toNumber()} kWh) is above ${settings.spikeFactor} × the median of the previous 7 days (${typical.toNumber()} kWh)`,
        limite: threshold.toNumber(),
        valor: input.today.kwh.toNumber(),
        dia: input.today.day,
        mediana: typical.toNumber(),
        fator: settings.spikeFactor,
      });
    }
  }

  // An early warning: once the total itself is above the limit, total_mensal says it.
  if (on('projecao_mensal') && !monthTotal.greaterThan(limitKwh)) {
    const period = monthPeriod(month, input.timeZone);
    const elapsedMs = input.nowMs - period.startMs;
    const monthMs = period.endMs - period.startMs;
    if (elapsedMs >= settings.projectionMinDays * DAY_MS && monthTotal.times(monthMs).greaterThan(new Decimal(limitKwh).times(elapsedMs))) {
      const projected = monthTotal.times(monthMs).dividedBy(elapsedMs);
      motivos.push({
        regra: 'projecao_mensal',
        mensagem: `at this pace the month ends at ${round2(projected)} kWh (${monthTotal.toNumber()} kWh in ${round2(new Decimal(elapsedMs).dividedBy(DAY_MS))} of ${monthMs / DAY_MS} days), above the limit of ${limitKwh} kWh`,
        limite: limitKwh,
        valor: round2(projected),
        mes: month,
        kwhAteAgora: monthTotal.toNumber(),
        diasDecorridos: round2(new Decimal(elapsedMs).dividedBy(DAY_MS)),
        diasNoMes: monthMs / DAY_MS,
      });
    }
  }

  if (on('medidor_silencioso')) {
    const allowedMinutes = settings.meterIntervalMinutes * settings.silentIntervals;
    for (const meter of [...input.meters].sort((a, b) => a.meterId - b.meterId)) {
      // A meter that never reported is judged from its registration.
      const sinceMs = meter.lastReadingMs ?? Date.parse(meter.createdAt);
      const silentMinutes = Math.floor((input.nowMs - sinceMs) / 60_000);
      if (silentMinutes > allowedMinutes) {
        const last = meter.lastReadingMs === undefined ? null : isoInZone(meter.lastReadingMs, input.timeZone);
        motivos.push({
          regra: 'medidor_silencioso',
          mensagem: last
            ? `meter ${meter.meterId} has sent no reading since ${last} (${silentMinutes} minutes; expected every ${settings.meterIntervalMinutes}); it may be broken or disconnected`
            : `meter ${meter.meterId} has sent no reading since it was registered (${silentMinutes} minutes; expected every ${settings.meterIntervalMinutes}); it may be broken or disconnected`,
          limite: allowedMinutes,
          valor: silentMinutes,
          id_medidor: meter.meterId,
          ultimaLeitura: last,
          minutosSemLeitura: silentMinutes,
        });
      }
    }
  }
  return motivos;
}

/** The key of a condition: one active alarm per rule, per meter for the per-meter rules. */
export function conditionKey(reason: AlarmReason): string {
  return reason.regra === 'medidor_silencioso' ? `${reason.regra}#${reason.id_medidor}` : reason.regra;
}

/** YYYY-MM-DD of the local day `daysBack` days before the one containing `nowMs`. */
function localDay(nowMs: number, daysBack: number, timeZone: string): string {
  const local = toLocal(nowMs, timeZone);
  return new Date(Date.UTC(local.year, local.month - 1, local.day - daysBack)).toISOString().slice(0, 10);
}

async function gatherInput(context: Context, customerId: string): Promise<AlarmInput> {
  const { repository, settings } = context;
  const nowMs = context.now();
  const month = monthKeyOf(nowMs, settings.timeZone);
  const today = bucketsOf(nowMs, settings.timeZone).day;
  const firstDay = localDay(nowMs, 7, settings.timeZone);
  const [customer, monthSums, daySums, largeReadings, meters] = await Promise.all([
    repository.getCustomer(customerId),
    // The same months as the days' read, so both are served by one read of the totals.
    repository.sumBuckets(customerId, 'month', firstDay.slice(0, 7), month),
    repository.sumBuckets(customerId, 'day', firstDay, today),
    repository.excessReadings(customerId, month),
    repository.listMeters(customerId),
  ]);
  if (!customer) throw new CustomerNotFound(customerId);
  const zero = new Decimal(0);
  return {
    nowMs,
    timeZone: settings.timeZone,
    limitKwh: settings.alarmLimitKwh,
    month,
    monthTotal: monthSums.get(month) ?? zero,
    largeReadings,
    today: { day: today, kwh: daySums.get(today) ?? zero },
    previousDays: [7, 6, 5, 4, 3, 2, 1].map((back) => daySums.get(localDay(nowMs, back, settings.timeZone)) ?? zero),
    meters,
  };
}

export function alarmSettings(context: Context): AlarmSettings {
  return { ...DEFAULT_ALARM_SETTINGS, ...context.settings.alarms };
}

/**
 * Evaluates the rules for one customer and stores the transitions: a condition that holds and
 * is not active fires (an event opens), an active one that no longer holds clears (its event
 * closes). Concurrent evaluations are safe: each transition is conditional, so it happens once.
 */
export async function refreshAlarm(
  context: Context,
  customerId: string,
): Promise<{ input: AlarmInput; motivos: AlarmReason[]; changed: boolean }> {
  // The active conditions are read beside the rules' input: one round trip before the transitions.
  const [input, active] = await Promise.all([gatherInput(context, customerId), context.repository.activeAlarms(customerId)]);
  const motivos = evaluateAlarm(input, alarmSettings(context));
  const changed = await storeTransitions(context, customerId, input.nowMs, motivos, active);
  return { input, motivos, changed };
}

/** Fires the conditions that hold and are not active, clears the active ones that no longer hold; true if any did. */
async function storeTransitions(context: Context, customerId: string, nowMs: number, motivos: AlarmReason[], active: ActiveAlarm[]): Promise<boolean> {
  const holding = new Map<string, AlarmReason>();
  for (const reason of motivos) if (!holding.has(conditionKey(reason))) holding.set(conditionKey(reason), reason);
  const activeKeys = new Set(active.map(({ key }) => key));
  const outcomes = await Promise.all([
    ...active.filter(({ key }) => !holding.has(key)).map((alarm) => context.repository.clearAlarm(alarm, nowMs)),
    ...[...holding.entries()]
      .filter(([key]) => !activeKeys.has(key))
      .map(([key, reason]) =>
        context.repository.fireAlarm({
          customerId,
          key,
          regra: reason.regra,
          ...(reason.regra === 'medidor_silencioso' ? { meterId: reason.id_medidor } : {}),
          firedMs: nowMs,
          mensagem: reason.mensagem,
        }),
      ),
  ]);
  return outcomes.some(Boolean);
}

const RECENT_EVENTS = 10;

function eventView(event: AlarmEvent, timeZone: string): AlarmEventView {
  return {
    regra: event.regra,
    ...(event.meterId === undefined ? {} : { id_medidor: event.meterId }),
    disparadoEm: isoInZone(event.firedMs, timeZone),
    encerradoEm: event.clearedMs === undefined ? null : isoInZone(event.clearedMs, timeZone),
    reconhecidoEm: event.acknowledgedMs === undefined ? null : isoInZone(event.acknowledgedMs, timeZone),
    reconhecidoPor: event.acknowledgedBy ?? null,
    mensagem: event.mensagem,
  };
}

/**
 * getAlarme: the rules evaluated now, plus the recent events. `alarme` keeps the original
 * client's two words: "Excesso!" whenever any rule holds — a silent meter too, since
 * consumption nobody can see must not read as "Ok!"; `motivos` says which.
 */
export async function getAlarm(context: Context, customerId: string): Promise<Alarm> {
  // Events are read beside the evaluation; only an evaluation that changed them reads them again.
  const [{ input, motivos, changed }, before] = await Promise.all([
    refreshAlarm(context, customerId),
    context.repository.alarmEvents(customerId, RECENT_EVENTS),
  ]);
  const events = changed ? await context.repository.alarmEvents(customerId, RECENT_EVENTS) : before;
  return {
    id: customerId,
    alarme: motivos.length > 0 ? 'Excesso!' : 'Ok!',
    mes: input.month,
    kwhMes: input.monthTotal.toNumber(),
    motivos,
    eventos: events.map((event) => eventView(event, context.settings.timeZone)),
  };
}

/** reconheceAlarme for a customer who has never had an alarm. */
export class AlarmNotFound extends LuzError {
  readonly code = 'alarm_not_found';
  constructor() {
    super('this customer has no alarm event to acknowledge', 'id');
  }
}

/**
 * reconheceAlarme: acknowledges the customer's active events — or, when none is active, the newest
 * event — recording when and whether staff or the customer did it. The first acknowledgement of an
 * event is kept: a repeat answers the same events unchanged.
 */
export async function acknowledgeAlarms(
  context: Context,
  customerId: string,
  by: AlarmAcknowledger,
): Promise<{ id: string; reconhecidos: AlarmEventView[] }> {
  const [customer, active] = await Promise.all([context.repository.getCustomer(customerId), context.repository.activeAlarms(customerId)]);
  if (!customer) throw new CustomerNotFound(customerId);
  const targets: Pick<AlarmEvent, 'key' | 'firedMs'>[] = active.length > 0 ? active : await context.repository.alarmEvents(customerId, 1);
  if (targets.length === 0) throw new AlarmNotFound();
  const atMs = context.now();
  const events = await Promise.all(targets.map((event) => context.repository.acknowledgeAlarm(customerId, event, { atMs, by })));
  const acknowledged = events.filter((event): event is AlarmEvent => event !== undefined);
  acknowledged.sort((a, b) => b.firedMs - a.firedMs || b.key.localeCompare(a.key));
  return { id: customerId, reconhecidos: acknowledged.map((event) => eventView(event, context.settings.timeZone)) };
}

export interface CustomerInAlarm {
  id: string;
  alarmes: { regra: string; id_medidor?: number; desde: string; mensagem: string }[];
}

/**
 * alarmes (staff): customers with an active alarm, one page at a time. Each listed customer is
 * evaluated again first, so a condition that ended since the last evaluation is not shown.
 */
export async function listCustomersInAlarm(
  context: Context,
  page: { limit: number; cursor?: string },
): Promise<{ clientes: CustomerInAlarm[]; cursor: string | null }> {
  const { alarms, cursor } = await context.repository.listActiveAlarms(page);
  const ids = [...new Set(alarms.map(({ customerId }) => customerId))];
  for (const id of ids) await refreshAlarm(context, id);
  const clientes: CustomerInAlarm[] = [];
  for (const id of ids) {
    const active = await context.repository.activeAlarms(id);
    if (active.length === 0) continue;
    clientes.push({
      id,
      alarmes: active
        .sort((a, b) => a.firedMs - b.firedMs || a.key.localeCompare(b.key))
        .map((alarm) => ({
          regra: alarm.regra,
          ...(alarm.meterId === undefined ? {} : { id_medidor: alarm.meterId }),
          desde: isoInZone(alarm.firedMs, context.settings.timeZone),
          mensagem: alarm.mensagem,
        })),
    });
  }
  return { clientes, cursor };
}

/**
 * The scheduled sweep (avaliaAlarmes), a page of customers at a time: folds each one's settled
 * readings (at most once a day; it costs one read otherwise) and evaluates its alarms — the only
 * way a meter that went quiet is noticed. Returns how many customers were evaluated.
 */
export async function sweepAlarms(context: Context, pageSize = 100): Promise<number> {
  let cursor: string | undefined;
  let evaluated = 0;
  do {
    const page = await context.repository.listCustomerIds({ limit: pageSize, cursor });
    for (const id of page.ids) {
      await context.repository.consolidate(id, { timeZone: context.settings.timeZone, nowMs: context.now() });
      await refreshAlarm(context, id);
      evaluated += 1;
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return evaluated;
}
