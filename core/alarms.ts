// Excess-consumption alarm (getAlarme): the original two rules, each explained in `motivos`.
import type { Context } from './context';
import { Decimal } from './decimal';
import { CustomerNotFound } from './errors';
import { isoInZone, monthKeyOf } from './periods';

export interface AlarmReason {
  regra: 'total_mensal' | 'leitura_individual';
  mensagem: string;
  limite: number;
  valor: number;
  mes: string;
  id_medidor?: number;
  timestamp?: number;
}

export interface Alarm {
  id: string;
  alarme: 'Excesso!' | 'Ok!';
  mes: string;
  kwhMes: number;
  motivos: AlarmReason[];
}

/** Pure rule evaluation over the month's total and its readings above the limit. */
export function evaluateAlarm(
  limitKwh: number,
  month: string,
  monthTotal: Decimal,
  largeReadings: { meterId: number; valor: number; timestampMs: number }[],
  timeZone: string,
): AlarmReason[] {
  const motivos: AlarmReason[] = [];
  if (monthTotal.greaterThan(limitKwh)) {
    motivos.push({
      regra: 'total_mensal',
      mensagem: `consumption this month (${monthTotal.toNumber()} kWh) is above the limit of ${limitKwh} kWh`,
      limite: limitKwh,
      valor: monthTotal.toNumber(),
      mes: month,
    });
  }
  for (const reading of largeReadings.filter(({ valor }) => valor > limitKwh)) {
    motivos.push({
      regra: 'leitura_individual',
      mensagem: `meter ${reading.meterId} reported ${reading.valor} kWh in one reading at ${isoInZone(reading.timestampMs, timeZone)}, above the limit of ${limitKwh} kWh`,
      limite: limitKwh,
      valor: reading.valor,
      mes: month,
      id_medidor: reading.meterId,
      timestamp: reading.timestampMs / 1000,
    });
  }
  return motivos;
}

export async function getAlarm(context: Context, customerId: string): Promise<Alarm> {
  const { repository, settings } = context;
  const month = monthKeyOf(context.now(), settings.timeZone);
  const [customer, sums, largeReadings] = await Promise.all([
    repository.getCustomer(customerId),
    repository.sumBuckets(customerId, 'month', month, month),
    repository.excessReadings(customerId, month),
  ]);
  if (!customer) throw new CustomerNotFound(customerId);
  const total = sums.get(month) ?? new Decimal(0);
  const motivos = evaluateAlarm(settings.alarmLimitKwh, month, total, largeReadings, settings.timeZone);
  return { id: customerId, alarme: motivos.length > 0 ? 'Excesso!' : 'Ok!', mes: month, kwhMes: total.toNumber(), motivos };
}
