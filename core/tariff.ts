// Tariff files: the schema validated at start-up, and the values in force for a billing month.
//
// Two shapes are accepted. The original flat contract is one price per kWh:
//   {"nome": …, "fonte": …, "energiaPorKwh": "1.07"}
// A residential (B1) tariff lists TE and TUSD per kWh, the bandeira of each month, the minimum
// billed kWh by connection type, ICMS and PIS/COFINS (charged "por dentro") and the municipal
// lighting contribution (CIP/COSIP). Every value carries its validity as months `desde`..`ate`
// (both inclusive, `ate` absent = still in force): a bill is monthly, so a value that changes
// mid-month (ANEEL's annual readjustment takes effect on a given day) is entered from the first
// billing month it applies to, and a month's bill never mixes two values of the same thing.
import { readFileSync } from 'node:fs';
import * as z from './zod';
import { Decimal } from './decimal';
import { LuzError } from './errors';
import { MONTH_KEY } from './periods';

export const CONNECTION_TYPES = ['monofasico', 'bifasico', 'trifasico'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const BANDEIRAS = ['verde', 'amarela', 'vermelha1', 'vermelha2'] as const;
export type Bandeira = (typeof BANDEIRAS)[number];

const money = z.string().check(z.regex(/^\d+(\.\d+)?$/, 'a price is a decimal string such as "1.07"'));
const rate = z.string().check(z.regex(/^0(\.\d+)?$/, 'a rate is a fraction written as a decimal string, e.g. "0.205" for 20.5%'));
const month = z.string().check(z.regex(MONTH_KEY, 'a month is YYYY-MM'));
const source = z.string().check(z.minLength(1));
const dueDays = z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(60)));
const kwh = z.number().check(z.nonnegative());

const inForce = { desde: month, ate: z.optional(month), fonte: z.optional(source) };

const pricePeriod = z.strictObject({ ...inForce, valor: money });
const bandeiraPeriod = z.strictObject({
  ...inForce,
  /** R$ added per 100 kWh under each flag (verde adds nothing). */
  amarela: money,
  vermelha1: money,
  vermelha2: money,
});
const icmsPeriod = z.strictObject({ ...inForce, aliquota: rate });
const pisCofinsPeriod = z.strictObject({ ...inForce, pis: rate, cofins: rate });
const cipBand = z.strictObject({
  /** The band covers consumption up to this many kWh (inclusive); the last band has none. */
  ateKwh: z.optional(kwh),
  valor: money,
});
const cipPeriod = z.union([
  z.strictObject({ ...inForce, fixo: money }),
  z.strictObject({
    ...inForce,
    faixas: z.array(cipBand).check(
      z.minLength(1),
      z.refine(
        (bands) =>
          bands.every((band, i) =>
            i === bands.length - 1
              ? band.ateKwh === undefined
              : band.ateKwh !== undefined && (i === 0 || band.ateKwh > bands[i - 1].ateKwh!),
          ),
        'bands go up in ateKwh and only the last one has no ateKwh',
      ),
    ),
  }),
]);

/** Periods of one value must not overlap, so exactly one (or none) is in force in a month. */
function periods<Item extends z.ZodMiniType<{ desde: string; ate?: string }>>(item: Item) {
  return z.array(item).check(
    z.minLength(1),
    z.superRefine((list, context) => {
      for (const [index, period] of list.entries()) {
        if (period.ate !== undefined && period.ate < period.desde) {
          context.addIssue({ code: 'custom', path: [index, 'ate'], message: 'ate is before desde' });
        }
      }
      const sorted = [...list].sort((a, b) => a.desde.localeCompare(b.desde));
      for (let i = 1; i < sorted.length; i++) {
        const previousEnd = sorted[i - 1].ate;
        if (previousEnd === undefined || previousEnd >= sorted[i].desde) {
          context.addIssue({
            code: 'custom',
            path: [list.indexOf(sorted[i]), 'desde'],
            message: `overlaps the period starting ${sorted[i - 1].desde}`,
          });
        }
      }
    }),
  );
}

const flatSchema = z.strictObject({
  nome: source,
  fonte: source,
  /** R$ per kWh, no taxes, no minimum. */
  energiaPorKwh: money,
  vencimentoDias: dueDays,
});

const residentialSchema = z.strictObject({
  nome: source,
  fonte: source,
  /** Days from the issue date to the due date. */
  vencimentoDias: dueDays,
  /** Tarifa de energia, R$/kWh without taxes. */
  te: periods(pricePeriod),
  /** Tarifa de uso do sistema de distribuição, R$/kWh without taxes. */
  tusd: periods(pricePeriod),
  bandeiras: z.optional(
    z.strictObject({
      adicionais: periods(bandeiraPeriod),
      /** The flag ANEEL set for each month. */
      meses: z.record(month, z.enum(BANDEIRAS)),
      /** Flag for a month not listed in `meses` (absent: such a month cannot be billed). */
      padrao: z.optional(z.enum(BANDEIRAS)),
      fonte: z.optional(source),
    }),
  ),
  /** Custo de disponibilidade: the minimum kWh billed per connection type. */
  disponibilidadeKwh: z.optional(
    z.strictObject({
      monofasico: kwh,
      bifasico: kwh,
      trifasico: kwh,
      fonte: z.optional(source),
    }),
  ),
  icms: z.optional(periods(icmsPeriod)),
  pisCofins: z.optional(periods(pisCofinsPeriod)),
  cip: z.optional(periods(cipPeriod)),
});

export const tariffSchema = z.union([flatSchema, residentialSchema]);
export type Tariff = z.infer<typeof tariffSchema>;

export class TariffError extends Error {}

/** Reads and validates a tariff file; the message names the file and every bad field. */
export function loadTariff(path: string): Tariff {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TariffError(`TARIFF_FILE ${path}: ${(error as Error).message}`);
  }
  // Judge the file by the shape it claims, so the errors name its own fields.
  const schema =
    raw !== null && typeof raw === 'object' && 'energiaPorKwh' in raw ? flatSchema : residentialSchema;
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new TariffError(`TARIFF_FILE ${path}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The tariff file has no value in force for a month that is asked for. */
export class TariffNotInForce extends LuzError {
  readonly code = 'tariff_not_in_force';
  constructor(
    readonly month: string,
    what: string,
  ) {
    super(`mes: the tariff has no ${what} in force for ${month}`, 'mes');
  }
}

export type CipRule = { fixo: Decimal } | { faixas: { ateKwh?: number; valor: Decimal }[] };

/** Everything that prices one month, resolved from the file. */
export interface MonthRates {
  month: string;
  connection: ConnectionType;
  /** Per-kWh components, each its own invoice line (TE and TUSD, or the flat price). */
  energy: { descricao: string; perKwh: Decimal }[];
  bandeira?: { cor: Bandeira; per100Kwh: Decimal };
  /** Minimum billed kWh for the customer's connection type (0 when the tariff has none). */
  minimumKwh: number;
  icms: Decimal;
  pis: Decimal;
  cofins: Decimal;
  cip?: CipRule;
  dueDays: number;
}

const DEFAULT_DUE_DAYS = 10;

function inForceFor<Period extends { desde: string; ate?: string }>(list: Period[], month: string): Period | undefined {
  return list.find((period) => period.desde <= month && (period.ate === undefined || month <= period.ate));
}

function required<Period extends { desde: string; ate?: string }>(
  list: Period[],
  month: string,
  what: string,
): Period {
  const period = inForceFor(list, month);
  if (!period) throw new TariffNotInForce(month, what);
  return period;
}

/** The values of `tariff` in force in `month` for a customer with `connection`. */
export function ratesFor(tariff: Tariff, month: string, connection: ConnectionType): MonthRates {
  const dueDays = tariff.vencimentoDias ?? DEFAULT_DUE_DAYS;
  if ('energiaPorKwh' in tariff) {
    return {
      month,
      connection,
      energy: [{ descricao: 'Energia consumida', perKwh: new Decimal(tariff.energiaPorKwh) }],
      minimumKwh: 0,
      icms: new Decimal(0),
      pis: new Decimal(0),
      cofins: new Decimal(0),
      dueDays,
    };
  }
  const energy = [
    { descricao: 'Energia TE', perKwh: new Decimal(required(tariff.te, month, 'TE').valor) },
    { descricao: 'Energia TUSD', perKwh: new Decimal(required(tariff.tusd, month, 'TUSD').valor) },
  ];
  let bandeira: MonthRates['bandeira'];
  if (tariff.bandeiras) {
    const cor = tariff.bandeiras.meses[month] ?? tariff.bandeiras.padrao;
    if (cor === undefined) throw new TariffNotInForce(month, 'bandeira');
    const values = required(tariff.bandeiras.adicionais, month, 'bandeira value');
    bandeira = { cor, per100Kwh: cor === 'verde' ? new Decimal(0) : new Decimal(values[cor]) };
  }
  const pisCofins = tariff.pisCofins ? required(tariff.pisCofins, month, 'PIS/COFINS rate') : undefined;
  const cip = tariff.cip ? inForceFor(tariff.cip, month) : undefined;
  return {
    month,
    connection,
    energy,
    bandeira,
    minimumKwh: tariff.disponibilidadeKwh?.[connection] ?? 0,
    icms: new Decimal(tariff.icms ? required(tariff.icms, month, 'ICMS rate').aliquota : 0),
    pis: new Decimal(pisCofins?.pis ?? 0),
    cofins: new Decimal(pisCofins?.cofins ?? 0),
    // A municipality may not charge CIP at all in some months: no period, no line.
    cip: cip
      ? 'fixo' in cip
        ? { fixo: new Decimal(cip.fixo) }
        : { faixas: cip.faixas.map((band) => ({ ateKwh: band.ateKwh, valor: new Decimal(band.valor) })) }
      : undefined,
    dueDays,
  };
}
