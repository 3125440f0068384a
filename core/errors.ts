// Named domain errors; functions/http.ts maps each one to an HTTP status in one place.

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
