// Customers, their access tokens and their meters.
import { DEFAULT_TOKEN_TTL_MS, newCustomerToken } from './access';
import type { Context } from './context';
import type { Customer, StoredToken } from './model';
import type { ConnectionType } from './tariff';

function tokenFor(context: Context, customerId: string): { token: string; stored: StoredToken } {
  const { token, hash } = newCustomerToken();
  const now = context.now();
  return {
    token,
    stored: { hash, customerId, createdAt: new Date(now).toISOString(), expiresAt: now + (context.settings.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS) },
  };
}

/**
 * cadCliente: the customer and their first token (shown here once, stored only as a hash). The
 * connection type sets the minimum billed kWh (default monofásico, the most common).
 */
export async function registerCustomer(
  context: Context,
  input: { id: string; name: string; ligacao?: ConnectionType },
): Promise<Customer & { token: string }> {
  const customer: Customer = {
    id: input.id,
    name: input.name,
    createdAt: new Date(context.now()).toISOString(),
    ligacao: input.ligacao ?? 'monofasico',
  };
  const { token, stored } = tokenFor(context, customer.id);
  await context.repository.createCustomer(customer, stored);
  return { ...customer, token };
}

/** tokenCliente: a new token for the customer; the previous one stops working at once. */
export async function issueCustomerToken(
  context: Context,
  input: { id: string },
): Promise<{ id: string; token: string; expiresAt: string }> {
  const { token, stored } = tokenFor(context, input.id);
  await context.repository.replaceToken(stored);
  return { id: input.id, token, expiresAt: new Date(stored.expiresAt).toISOString() };
}

/** cadMedidor: meter ids are 1, 2, 3… per customer, from an atomic counter. */
export async function registerMeter(
  context: Context,
  input: { id: string },
): Promise<{ id: string; id_medidor: number }> {
  const meterId = await context.repository.registerMeter(input.id, new Date(context.now()).toISOString());
  return { id: input.id, id_medidor: meterId };
}
