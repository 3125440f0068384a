// Customers, their access tokens and their meters.
import { DEFAULT_TOKEN_TTL_MS, newCustomerToken, newSecret } from './access';
import type { Context } from './context';
import type { Customer, MeterCredentials, StoredToken } from './model';
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

/** A token as tokenCliente returns it: the only time the token itself is shown. */
export interface IssuedToken {
  id: string;
  token: string;
  expiresAt: string;
}

/** tokenCliente: a new token for the customer; the previous one stops working at once. */
export async function issueCustomerToken(context: Context, input: { id: string }): Promise<IssuedToken> {
  const { token, stored } = tokenFor(context, input.id);
  await context.repository.replaceToken(stored);
  return { id: input.id, token, expiresAt: new Date(stored.expiresAt).toISOString() };
}

/** A meter as cadMedidor and segredoMedidor return it: the only time its secret is shown. */
export interface RegisteredMeter {
  id: string;
  id_medidor: number;
  segredo: string;
}

/**
 * cadMedidor: meter ids are 1, 2, 3… per customer, from an atomic counter. The meter's secret (the
 * key of its signed datagrams) is shown here once; it is stored as is, because the gateway must
 * recompute each datagram's MAC with it.
 */
export async function registerMeter(context: Context, input: { id: string }): Promise<RegisteredMeter> {
  const segredo = newSecret();
  const meterId = await context.repository.registerMeter(input.id, new Date(context.now()).toISOString(), segredo);
  return { id: input.id, id_medidor: meterId, segredo };
}

/**
 * segredoMedidor: a new secret for a meter (lost, leaked, or a meter that lost its seq counter). The
 * gateway accepts the new one at once and stops accepting the old one within its key cache time;
 * the meter's seq window starts again.
 */
export async function rotateMeterSecret(
  context: Context,
  input: { id: string; id_medidor: number },
): Promise<RegisteredMeter> {
  const segredo = newSecret();
  await context.repository.replaceMeterSecret(input.id, input.id_medidor, segredo, new Date(context.now()).toISOString());
  return { id: input.id, id_medidor: input.id_medidor, segredo };
}

/**
 * The UDP gateway's view of a meter: the secret its signed datagrams carry a MAC of, and a lower
 * bound of its highest stored seq (the anti-replay window's anchor); undefined for an unknown meter.
 */
export function meterCredentials(context: Context, customerId: string, meterId: number): Promise<MeterCredentials | undefined> {
  return context.repository.meterCredentials(customerId, meterId);
}
