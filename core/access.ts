// Who may do what: staff key and customer tokens (hashes only at rest), and the per-route rules.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from './context';
import { LuzError } from './errors';

/** Who a request comes from, as the authorizer established it. */
export type Principal = { role: 'staff' } | { role: 'customer'; customerId: string };

/** What a route requires: staff only, or staff or the customer the request is about. */
export type Access = 'staff' | 'owner';

export class Forbidden extends LuzError {
  readonly code = 'forbidden';
}

/** Raised by the authorizer; API Gateway answers 401. */
export class Unauthorized extends LuzError {
  readonly code = 'unauthorized';
}

/** A customer token lasts a year unless LUZ_TOKEN_TTL_DAYS says otherwise. */
export const DEFAULT_TOKEN_TTL_MS = 365 * 86_400_000;

const TOKEN_PREFIX = 'luz_';
/** What a customer token looks like (the CLI checks it before sending anything). */
export const TOKEN_SHAPE = /^luz_[A-Za-z0-9_-]{43}$/;

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A new secret: 32 random bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A new customer token (shown once) and what is stored of it (its hash). */
export function newCustomerToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + newSecret();
  return { token, hash: sha256(token) };
}

/** Constant-time comparison of two secrets through their digests (equal length by construction). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}

/** Resolves an `Authorization` header value to a principal, or throws Unauthorized. */
export async function authenticate(
  context: Context,
  header: string | undefined,
  staffKey: string | undefined,
): Promise<Principal> {
  const match = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header?.trim() ?? '');
  if (!match) throw new Unauthorized('send Authorization: Bearer <staff key or customer token>');
  const credential = match[1];
  if (staffKey && sameSecret(credential, staffKey)) return { role: 'staff' };
  if (!TOKEN_SHAPE.test(credential)) throw new Unauthorized('unknown credential');
  const token = await context.repository.findToken(sha256(credential));
  if (!token) throw new Unauthorized('unknown credential');
  if (token.revokedAt) throw new Unauthorized('this token was revoked');
  if (token.expiresAt <= context.now()) throw new Unauthorized('this token has expired');
  return { role: 'customer', customerId: token.customerId };
}

/** The route rule: staff may do everything; a customer may only read their own data. */
export function authorize(principal: Principal, access: Access, customerId: string | undefined): void {
  if (principal.role === 'staff') return;
  if (access === 'staff') throw new Forbidden('this route is for staff only');
  if (customerId !== principal.customerId) throw new Forbidden("a customer token only opens that customer's own data");
}
