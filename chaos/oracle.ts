// An invoice oracle that shares no code with core/: a month's kWh priced from the tariff file as read
// from disk, by the published rules of docs/BILLING.md (lines rounded half up to the centavo, taxes
// "por dentro", CIP by band). Only what a month without closed invoices needs (no adjustment lines).
import DecimalJs from 'decimal.js';
import { readFileSync } from 'node:fs';

interface Period {
  desde: string;
  ate?: string;
}
type Valued = Period & { valor: string };
interface B1Tariff {
  te: Valued[];
  tusd: Valued[];
  bandeiras?: { adicionais: (Period & Record<string, string>)[]; meses: Record<string, string>; padrao: string };
  disponibilidadeKwh?: Record<string, number>;
  icms?: (Period & { aliquota: string })[];
  pisCofins?: (Period & { pis: string; cofins: string })[];
  cip?: (Period & { fixo?: string; faixas?: { ateKwh?: number; valor: string }[] })[];
}
type TariffFile = B1Tariff | { energiaPorKwh: string };

/** DynamoDB keeps 38 significant digits; sums here keep as many (decimal.js defaults to 20). */
export const Decimal = DecimalJs.clone({ precision: 38 });
export type Decimal = InstanceType<typeof Decimal>;

const cents = (amount: Decimal) => amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const inForce = <T extends Period>(periods: T[] | undefined, month: string): T | undefined =>
  periods?.find((period) => period.desde <= month && (period.ate === undefined || month <= period.ate));

export function readTariff(file: string): TariffFile {
  return JSON.parse(readFileSync(file, 'utf8')) as TariffFile;
}

/** R$ of a month's invoice with `kwh` measured, for a customer on `connection`. */
export function invoiceValue(tariff: TariffFile, month: string, kwhText: string, connection = 'monofasico'): Decimal {
  const kwh = new Decimal(kwhText);
  if ('energiaPorKwh' in tariff) return cents(kwh.times(tariff.energiaPorKwh));
  const te = new Decimal(inForce(tariff.te, month)!.valor);
  const tusd = new Decimal(inForce(tariff.tusd, month)!.valor);
  const lines: Decimal[] = [cents(kwh.times(te)), cents(kwh.times(tusd))];
  const minimum = new Decimal(tariff.disponibilidadeKwh?.[connection] ?? 0);
  const billed = Decimal.max(kwh, minimum);
  if (billed.greaterThan(kwh)) lines.push(cents(billed.minus(kwh).times(te.plus(tusd))));
  if (tariff.bandeiras) {
    const flag = tariff.bandeiras.meses[month] ?? tariff.bandeiras.padrao;
    const extra = flag === 'verde' ? undefined : inForce(tariff.bandeiras.adicionais, month)?.[flag];
    if (extra !== undefined && !new Decimal(extra).isZero()) lines.push(cents(billed.times(new Decimal(extra).dividedBy(100))));
  }
  const icms = new Decimal(inForce(tariff.icms, month)?.aliquota ?? 0);
  const pisCofins = inForce(tariff.pisCofins, month);
  const rates = [icms, new Decimal(pisCofins?.pis ?? 0), new Decimal(pisCofins?.cofins ?? 0)];
  const taxes = rates.reduce((sum, rate) => sum.plus(rate), new Decimal(0));
  if (taxes.greaterThan(0)) {
    const base = lines.reduce((sum, line) => sum.plus(line), new Decimal(0));
    const gross = cents(base.dividedBy(new Decimal(1).minus(taxes)));
    for (const rate of rates) if (rate.greaterThan(0)) lines.push(cents(gross.times(rate)));
  }
  const cip = inForce(tariff.cip, month);
  if (cip) {
    const amount = cip.fixo ?? cip.faixas!.find((band) => band.ateKwh === undefined || kwh.lessThanOrEqualTo(band.ateKwh))!.valor;
    lines.push(cents(new Decimal(amount)));
  }
  return lines.reduce((sum, line) => sum.plus(line), new Decimal(0));
}
