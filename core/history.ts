// Consumption history (getConsumoHist): totals and chart series from roll-ups, readings paged.
import type { Context } from './context';
import { Decimal } from './decimal';
import { CustomerNotFound } from './errors';
import { isoInZone, periodOf, type PeriodKind } from './periods';

export interface HistoryQuery {
  id: string;
  kind: PeriodKind;
  periodo: number;
  limit: number;
  cursor?: string;
}

export interface History {
  id: string;
  kind: PeriodKind;
  periodo: number;
  inicio: string;
  fim: string;
  soma: number;
  series: { bucket: string; kwh: number }[];
  consumo: { timestamp: number; id_medidor: number; valor: number }[];
  cursor: string | null;
}

export async function getHistory(context: Context, query: HistoryQuery): Promise<History> {
  const { repository, settings } = context;
  const period = periodOf(query.kind, query.periodo, context.now(), settings.timeZone);
  const keys = period.bucketKeys;
  const [customer, sums, page] = await Promise.all([
    repository.getCustomer(query.id),
    repository.sumBuckets(query.id, period.bucketLevel, keys[0], keys[keys.length - 1]),
    repository.listReadings(
      query.id,
      { startMs: period.startMs, endMs: period.endMs },
      { limit: query.limit, cursor: query.cursor },
    ),
  ]);
  if (!customer) throw new CustomerNotFound(query.id);
  const series = keys.map((bucket) => ({ bucket, kwh: sums.get(bucket) ?? new Decimal(0) }));
  const soma = series.reduce((total, { kwh }) => total.plus(kwh), new Decimal(0));
  return {
    id: query.id,
    kind: query.kind,
    periodo: query.periodo,
    inicio: isoInZone(period.startMs, settings.timeZone),
    fim: isoInZone(period.endMs, settings.timeZone),
    soma: soma.toNumber(),
    series: series.map(({ bucket, kwh }) => ({ bucket, kwh: kwh.toNumber() })),
    consumo: page.readings.map((reading) => ({
      timestamp: reading.timestampMs / 1000,
      id_medidor: reading.meterId,
      valor: reading.valor,
    })),
    cursor: page.cursor,
  };
}
