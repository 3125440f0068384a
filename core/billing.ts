// Invoices (fatura): a month's kWh priced by the tariff in exact centavos; closing a month freezes one.
import type { Context } from './context';
import { Decimal } from './decimal';
import { CustomerNotFound, InvalidInput, LuzError } from './errors';
import type { Invoice, InvoiceLine, InvoiceRecord } from './model';
import { isoInZone, monthKeyOf, monthPeriod, toLocal } from './periods';
import { ratesFor, type CipRule, type ConnectionType, type MonthRates } from './tariff';

/** Consumption of an already closed month that arrived after it was closed, billed now. */
export interface Adjustment {
  mes: string;
  kwh: Decimal;
  /** R$/kWh without taxes of that month (energy components + bandeira), as frozen at its close. */
  perKwh: Decimal;
}

export class InvoiceAlreadyClosed extends LuzError {
  readonly code = 'invoice_closed';
  constructor(readonly month: string) {
    super(`mes: the invoice of ${month} is already closed`, 'mes');
  }
}

/** Only a closed invoice has a segunda via (faturaPdf); an open month is still a preview. */
export class InvoiceNotClosed extends LuzError {
  readonly code = 'invoice_open';
  constructor(readonly month: string) {
    super(`mes: the invoice of ${month} is not closed yet; only a closed invoice has a segunda via`, 'mes');
  }
}

/** Money rule: half up to the centavo (R$ 0.005 → R$ 0.01), applied to every line. */
export const toCentavos = (amount: Decimal): Decimal => amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

const CONNECTION_LABEL: Record<ConnectionType, string> = {
  monofasico: 'monofásico',
  bifasico: 'bifásico',
  trifasico: 'trifásico',
};
const BANDEIRA_LABEL = { verde: 'verde', amarela: 'amarela', vermelha1: 'vermelha patamar 1', vermelha2: 'vermelha patamar 2' };

const percent = (rate: Decimal) => `${rate.times(100).toString().replace('.', ',')}%`;

function line(descricao: string, quantidade: Decimal, unidade: string, precoUnitario: Decimal): InvoiceLine & { exact: Decimal } {
  const exact = toCentavos(quantidade.times(precoUnitario));
  return {
    descricao,
    quantidade: quantidade.toNumber(),
    unidade,
    precoUnitario: precoUnitario.toNumber(),
    valor: exact.toNumber(),
    exact,
  };
}

function cipAmount(rule: CipRule, kwh: Decimal): Decimal {
  if ('fixo' in rule) return rule.fixo;
  const band = rule.faixas.find((candidate) => candidate.ateKwh === undefined || kwh.lessThanOrEqualTo(candidate.ateKwh));
  return band!.valor;
}

export interface PricedInvoice {
  itens: InvoiceLine[];
  valor: Decimal;
  /** kWh billed this month: the measured kWh, or the connection's minimum if that is more. */
  billedKwh: Decimal;
  /** R$/kWh without taxes this month (energy + bandeira): what a late kWh of this month costs. */
  perKwh: Decimal;
}

/**
 * Prices a month. Each line is quantity × unit price rounded half up to the centavo, and the
 * total is the exact sum of the lines, so the bill always adds up as printed. Order of a B1 bill:
 * 1. TE and TUSD on the measured kWh;
 * 2. custo de disponibilidade: the kWh missing to the connection's minimum, at TE + TUSD;
 * 3. bandeira: billed kWh × the flag's R$ per 100 kWh;
 * 4. adjustments: late kWh of closed months at the price frozen with them;
 * 5. ICMS, PIS and COFINS "por dentro": the base (sum of 1–4) grossed up to
 *    base ÷ (1 − ICMS − PIS − COFINS), rounded to the centavo; each tax is that gross base × its rate;
 * 6. CIP/COSIP, outside the taxes' base (it is a municipal contribution, not part of the supply).
 */
export function priceInvoice(rates: MonthRates, kwh: Decimal, adjustments: Adjustment[] = []): PricedInvoice {
  const lines: (InvoiceLine & { exact: Decimal })[] = [];
  const energyPerKwh = rates.energy.reduce((sum, { perKwh }) => sum.plus(perKwh), new Decimal(0));
  for (const component of rates.energy) lines.push(line(component.descricao, kwh, 'kWh', component.perKwh));

  const billedKwh = Decimal.max(kwh, rates.minimumKwh);
  if (billedKwh.greaterThan(kwh)) {
    const label = `Custo de disponibilidade (${CONNECTION_LABEL[rates.connection]}: mínimo ${rates.minimumKwh} kWh)`;
    lines.push(line(label, billedKwh.minus(kwh), 'kWh', energyPerKwh));
  }

  let perKwh = energyPerKwh;
  if (rates.bandeira && !rates.bandeira.per100Kwh.isZero()) {
    const perOneKwh = rates.bandeira.per100Kwh.dividedBy(100);
    perKwh = perKwh.plus(perOneKwh);
    const label = BANDEIRA_LABEL[rates.bandeira.cor];
    lines.push(line(`Adicional bandeira ${label} (R$ ${rates.bandeira.per100Kwh.toString().replace('.', ',')} por 100 kWh)`, billedKwh, 'kWh', perOneKwh));
  }

  for (const adjustment of adjustments) {
    lines.push(line(`Ajuste: consumo de ${adjustment.mes} lido após o fechamento`, adjustment.kwh, 'kWh', adjustment.perKwh));
  }

  const taxes = rates.icms.plus(rates.pis).plus(rates.cofins);
  if (taxes.greaterThan(0)) {
    const base = lines.reduce((sum, { exact }) => sum.plus(exact), new Decimal(0));
    const grossBase = toCentavos(base.dividedBy(new Decimal(1).minus(taxes)));
    for (const [name, taxRate] of [['ICMS', rates.icms], ['PIS', rates.pis], ['COFINS', rates.cofins]] as const) {
      if (taxRate.greaterThan(0)) lines.push(line(`${name} (${percent(taxRate)}, por dentro)`, grossBase, 'R$', taxRate));
    }
  }

  if (rates.cip) {
    lines.push(line('Contribuição de iluminação pública (CIP/COSIP)', new Decimal(1), 'mês', cipAmount(rates.cip, kwh)));
  }

  const valor = lines.reduce((sum, { exact }) => sum.plus(exact), new Decimal(0));
  return { itens: lines.map(({ exact: _exact, ...rest }) => rest), valor, billedKwh, perKwh };
}

/** kWh of a closed month still to bill: what its billed kWh becomes with the late readings, minus what was billed. */
export function lateKwh(closed: Pick<InvoiceRecord, 'minimumKwh' | 'accountedKwh'>, currentKwh: Decimal): Decimal {
  const billedBefore = Decimal.max(new Decimal(closed.accountedKwh), closed.minimumKwh);
  const billedNow = Decimal.max(currentKwh, closed.minimumKwh);
  return Decimal.max(billedNow.minus(billedBefore), 0);
}

interface Draft {
  invoice: Invoice;
  record: Omit<InvoiceRecord, 'invoice'>;
  /** Closed months whose late kWh this invoice bills: their accounted kWh moves from → to. */
  settles: { month: string; fromKwh: string; toKwh: string }[];
}

/** What an invoice of `mes` is made from, read in one round trip (independent reads in parallel). */
async function invoiceInputs(context: Context, customerId: string, mes: string) {
  const { repository } = context;
  const [customer, sums, meters, closed] = await Promise.all([
    repository.getCustomer(customerId),
    repository.sumBuckets(customerId, 'month', mes, mes),
    repository.meterMonthKwh(customerId, mes),
    repository.listInvoiceRecords(customerId),
  ]);
  return { customer, sums, meters, closed };
}
type InvoiceInputs = Awaited<ReturnType<typeof invoiceInputs>>;

/**
 * The invoice `mes` would get if it were closed now (without number and dates). Late kWh of earlier
 * closed months take a second round trip, only for customers who have closed invoices.
 */
async function draftInvoice(context: Context, customerId: string, mes: string, inputs?: InvoiceInputs): Promise<Draft> {
  const { repository, settings } = context;
  const period = monthPeriod(mes, settings.timeZone);
  const { customer, sums, meters, closed } = inputs ?? (await invoiceInputs(context, customerId, mes));
  if (!customer) throw new CustomerNotFound(customerId);
  const kwh = sums.get(mes) ?? new Decimal(0);
  const earlier = closed.filter((record) => record.month < mes);
  const current = earlier.length
    ? await repository.sumBuckets(customerId, 'month', earlier[0].month, earlier[earlier.length - 1].month)
    : new Map<string, Decimal>();
  const adjustments: Adjustment[] = [];
  const settles: Draft['settles'] = [];
  for (const record of earlier) {
    const now = current.get(record.month) ?? new Decimal(0);
    if (now.equals(record.accountedKwh)) continue;
    const late = lateKwh(record, now);
    settles.push({ month: record.month, fromKwh: record.accountedKwh, toKwh: now.toString() });
    if (late.greaterThan(0)) adjustments.push({ mes: record.month, kwh: late, perKwh: new Decimal(record.perKwh) });
  }
  const rates = ratesFor(settings.tariff, mes, customer.ligacao ?? 'monofasico');
  const priced = priceInvoice(rates, kwh, adjustments);
  const invoice: Invoice = {
    id: customerId,
    mes,
    situacao: 'aberta',
    tarifa: settings.tariff.nome,
    periodo: { inicio: isoInZone(period.startMs, settings.timeZone), fim: isoInZone(period.endMs, settings.timeZone) },
    kwh: kwh.toNumber(),
    medidores: [...meters.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id_medidor, meterKwh]) => ({ id_medidor, kwh: meterKwh.toNumber() })),
    itens: priced.itens,
    valor: priced.valor.toNumber(),
  };
  return {
    invoice,
    record: {
      customerId,
      month: mes,
      minimumKwh: rates.minimumKwh,
      perKwh: priced.perKwh.toString(),
      accountedKwh: kwh.toString(),
      dueDays: rates.dueDays,
    },
    settles,
  };
}

/** getFatura: a closed month's frozen invoice, or a preview of an open one (default: the current month). */
export async function getInvoice(context: Context, customerId: string, month?: string): Promise<Invoice> {
  const mes = month ?? monthKeyOf(context.now(), context.settings.timeZone);
  monthPeriod(mes, context.settings.timeZone); // validates the month
  // The closed invoice is among the records the draft reads anyway: one round trip either way.
  const inputs = await invoiceInputs(context, customerId, mes);
  const closed = inputs.closed.find((record) => record.month === mes);
  if (closed) return closed.invoice;
  return (await draftInvoice(context, customerId, mes, inputs)).invoice;
}

/** A local calendar date `days` after an instant, as YYYY-MM-DD. */
function dateAfter(instantMs: number, days: number, timeZone: string): string {
  const local = toLocal(instantMs, timeZone);
  return new Date(Date.UTC(local.year, local.month - 1, local.day + days)).toISOString().slice(0, 10);
}

const CLOSE_ATTEMPTS = 5;

/**
 * fechaFatura: freezes a finished month's invoice. Late kWh of earlier closed months go on it as
 * adjustment lines, and those months are marked as accounted in the same transaction, so two
 * invoices can never bill the same late kWh (a concurrent close makes this one recompute).
 */
export async function closeInvoice(context: Context, customerId: string, mes: string): Promise<Invoice> {
  const { repository, settings } = context;
  const period = monthPeriod(mes, settings.timeZone);
  const now = context.now();
  if (now < period.endMs) {
    throw new InvalidInput(`mes: ${mes} has not ended yet; it can be closed from ${isoInZone(period.endMs, settings.timeZone)}`, 'mes');
  }
  for (let attempt = 1; ; attempt++) {
    // The month's own record is among the records the draft reads: one read tells closed from open
    // (a close racing this one is caught by saveInvoice's condition, answered 'exists').
    const inputs = await invoiceInputs(context, customerId, mes);
    if (inputs.closed.some((record) => record.month === mes)) throw new InvoiceAlreadyClosed(mes);
    const draft = await draftInvoice(context, customerId, mes, inputs);
    const { id, mes: _month, situacao: _open, ...rest } = draft.invoice;
    const invoice: Invoice = {
      id,
      mes,
      situacao: 'fechada',
      numero: `${mes.replace('-', '')}-${customerId}`,
      emissao: isoInZone(now, settings.timeZone),
      vencimento: dateAfter(now, draft.record.dueDays, settings.timeZone),
      ...rest,
    };
    const saved = await repository.saveInvoice({ ...draft.record, invoice }, draft.settles);
    if (saved === 'saved') return invoice;
    if (saved === 'exists') throw new InvoiceAlreadyClosed(mes);
    if (attempt >= CLOSE_ATTEMPTS) throw new Error(`closing ${mes}: adjustments kept changing under ${CLOSE_ATTEMPTS} attempts`);
  }
}

export interface InvoiceSummary {
  numero: string;
  mes: string;
  emissao: string;
  vencimento: string;
  kwh: number;
  valor: number;
}

/** faturas: the customer's closed invoices, newest first. */
export async function listInvoices(context: Context, customerId: string): Promise<{ id: string; faturas: InvoiceSummary[] }> {
  const [customer, records] = await Promise.all([
    context.repository.getCustomer(customerId),
    context.repository.listInvoiceRecords(customerId),
  ]);
  if (!customer) throw new CustomerNotFound(customerId);
  const faturas = records
    .map(({ invoice }) => ({
      numero: invoice.numero!,
      mes: invoice.mes,
      emissao: invoice.emissao!,
      vencimento: invoice.vencimento!,
      kwh: invoice.kwh,
      valor: invoice.valor,
    }))
    .reverse();
  return { id: customerId, faturas };
}
