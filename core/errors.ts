// Named domain errors, and the one table from an error's code to its status.

export abstract class LuzError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Status by error code, for every transport: the HTTP answer's status (functions/http.ts) and the
 * number that opens a v1 datagram's reply (udp-gateway/protocol.ts). The codes are the API's stable
 * names, wherever their classes live; a LuzError whose code is missing here is a fault (500, logged).
 */
const STATUS_BY_CODE = new Map<string, number>([
  ['invalid_input', 400],
  ['tariff_not_in_force', 400],
  ['unauthorized', 401],
  ['bad_mac', 401],
  ['forbidden', 403],
  ['v1_disabled', 403],
  ['customer_not_found', 404],
  ['meter_not_found', 404],
  ['alarm_not_found', 404],
  ['method_not_allowed', 405],
  ['customer_exists', 409],
  ['reading_conflict', 409],
  ['replayed', 409],
  ['invoice_closed', 409],
  ['invoice_open', 409],
  ['payload_too_large', 413],
  ['datagram_too_large', 413],
  ['unsupported_media_type', 415],
  ['rate_limited', 429],
  ['internal', 500],
  ['overloaded', 503],
  ['unavailable', 503],
  ['shutting_down', 503],
]);

/** The error's status; undefined for a code the table does not know (a fault). */
export const statusOf = (error: LuzError): number | undefined => STATUS_BY_CODE.get(error.code);

/** Malformed or invalid input: which field, and why. */
export class InvalidInput extends LuzError {
  readonly code = 'invalid_input';
}

export class CustomerNotFound extends LuzError {
  readonly code = 'customer_not_found';
  constructor(readonly customerId: string) {
    super('no customer with this CPF', 'id');
  }
}

export class MeterNotFound extends LuzError {
  readonly code = 'meter_not_found';
  constructor(
    readonly customerId: string,
    readonly meterId: number,
  ) {
    super(`customer has no meter ${meterId}`, 'id_medidor');
  }
}

export class CustomerAlreadyExists extends LuzError {
  readonly code = 'customer_exists';
  constructor(readonly customerId: string) {
    super('a customer with this CPF already exists', 'id');
  }
}

/** Same (customer, meter, timestamp) already stored with a different value. */
export class ReadingConflict extends LuzError {
  readonly code = 'reading_conflict';
  constructor(
    readonly storedValue: number,
    readonly sentValue: number,
  ) {
    super(
      `a reading with this meter and timestamp is already stored with valor ${storedValue}`,
      'valor',
    );
  }
}
