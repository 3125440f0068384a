// Customers and their meters.
import type { Context } from './context';
import type { Customer } from './model';
import type { ConnectionType } from './tariff';

/** cadCliente; the connection type sets the minimum billed kWh (default monofásico, the most common). */
export async function registerCustomer(
  context: Context,
  input: { id: string; name: string; ligacao?: ConnectionType },
): Promise<Customer> {
  const customer: Customer = {
    id: input.id,
    name: input.name,
    createdAt: new Date(context.now()).toISOString(),
    ligacao: input.ligacao ?? 'monofasico',
  };
  await context.repository.createCustomer(customer);
  return customer;
}

/** cadMedidor: meter ids are 1, 2, 3… per customer, from an atomic counter. */
export async function registerMeter(
  context: Context,
  input: { id: string },
): Promise<{ id: string; id_medidor: number }> {
  const meterId = await context.repository.registerMeter(input.id, new Date(context.now()).toISOString());
  return { id: input.id, id_medidor: meterId };
}
