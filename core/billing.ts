// Invoices (fatura): a month's kWh priced by the tariff file, in exact centavos.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Context } from './context';
import { Decimal } from './decimal';
import { CustomerNotFound } from './errors';
import { monthKeyOf, monthPeriod } from './periods';

const price = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'a price is a decimal string such as "1.07"');

export const tariffSchema = z.strictObject({
  nome: z.string().min(1),
  /** Where the values come from (a public source, or the original contract). */
  fonte: z.string().min(1),
  /** R$ per kWh. */
  energiaPorKwh: price,
});
export type Tariff = z.infer<typeof tariffSchema>;

export class TariffError extends Error {}

/** Reads and validates a tariff file; the message names the file and the bad field. */
export function loadTariff(path: string): Tariff {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TariffError(`TARIFF_FILE ${path}: ${(error as Error).message}`);
  }
  const result = tariffSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new TariffError(`TARIFF_FILE ${path}: ${problems.join('; ')}`);
  }
  return result.data;
}

export interface InvoiceLine {
  descricao: string;
  quantidade: number;
  unidade: string;
  precoUnitario: number;
  valor: number;
}

export interface Invoice {
  id: string;
  mes: string;
  kwh: number;
  valor: number;
  itens: InvoiceLine[];
}

/**
 * Money rule: each line is quantity × unit price rounded to the centavo, half up
 * (R$ 0.005 → R$ 0.01); the total is the exact sum of the rounded lines.
 */
export function priceInvoice(tariff: Tariff, kwh: Decimal): { valor: Decimal; itens: InvoiceLine[] } {
  const unitPrice = new Decimal(tariff.energiaPorKwh);
  const energy = kwh.times(unitPrice).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const itens: InvoiceLine[] = [
    {
      descricao: 'Energia consumida',
      quantidade: kwh.toNumber(),
      unidade: 'kWh',
      precoUnitario: unitPrice.toNumber(),
      valor: energy.toNumber(),
    },
  ];
  return { valor: energy, itens };
}

/** getFatura: the invoice of a customer for a month (default: the current month in LUZ_TZ). */
export async function getInvoice(context: Context, customerId: string, month?: string): Promise<Invoice> {
  const { repository, settings } = context;
  const mes = month ?? monthKeyOf(context.now(), settings.timeZone);
  monthPeriod(mes, settings.timeZone); // validates the month
  const [customer, sums] = await Promise.all([
    repository.getCustomer(customerId),
    repository.sumBuckets(customerId, 'month', mes, mes),
  ]);
  if (!customer) throw new CustomerNotFound(customerId);
  const kwh = sums.get(mes) ?? new Decimal(0);
  const { valor, itens } = priceInvoice(settings.tariff, kwh);
  return { id: customerId, mes, kwh: kwh.toNumber(), valor: valor.toNumber(), itens };
}
