// Every named error has its status in the one table both transports read (core/errors.ts), so no
// error a person can cause becomes a 500 over HTTP or UDP; and the table answers as the contract says.
import * as access from '../core/access';
import * as alarms from '../core/alarms';
import * as billing from '../core/billing';
import * as errors from '../core/errors';
import { LuzError, statusOf } from '../core/errors';
import * as tariff from '../core/tariff';
import * as http from '../functions/http';
import * as protocol from '../udp-gateway/protocol';

type ErrorClass = new (...args: unknown[]) => LuzError;
const isErrorClass = (value: unknown): value is ErrorClass => typeof value === 'function' && value.prototype instanceof LuzError;

/** Each exported LuzError class by name, made with placeholder arguments to read its code. */
const named = Object.entries<unknown>({ ...access, ...alarms, ...billing, ...errors, ...tariff, ...http, ...protocol }).flatMap(([name, value]) =>
  isErrorClass(value) ? [[name, new value('x', 1)] as const] : [],
);

test('every named error, wherever it is declared, has a status', () => {
  expect(named.length).toBeGreaterThan(20);
  expect(named.filter(([, error]) => statusOf(error) === undefined).map(([name, error]) => `${name} (${error.code})`)).toEqual([]);
});

test('the statuses of the contract: 400 invalid, 401/403 credentials, 404 unknown, 409 conflict, 413, 415, 429, 503 retry, 500 fault', () => {
  const status = Object.fromEntries(named.map(([name, error]) => [name, statusOf(error)]));
  expect(status).toEqual({
    InvalidInput: 400,
    TariffNotInForce: 400,
    Unauthorized: 401,
    BadMac: 401,
    Forbidden: 403,
    V1Disabled: 403,
    CustomerNotFound: 404,
    MeterNotFound: 404,
    AlarmNotFound: 404,
    MethodNotAllowed: 405,
    CustomerAlreadyExists: 409,
    ReadingConflict: 409,
    Replayed: 409,
    InvoiceAlreadyClosed: 409,
    InvoiceNotClosed: 409,
    PayloadTooLarge: 413,
    DatagramTooLarge: 413,
    UnsupportedMediaType: 415,
    RateLimited: 429,
    InternalFault: 500,
    Overloaded: 503,
    StorageUnavailable: 503,
    ShuttingDown: 503,
  });
});

test('a code the table does not know has no status (HTTP answers 500 and logs it; UDP answers 500)', () => {
  class Unforeseen extends LuzError {
    readonly code = 'unforeseen';
  }
  expect(statusOf(new Unforeseen('x'))).toBeUndefined();
});
