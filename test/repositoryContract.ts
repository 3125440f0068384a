// The Repository contract, one suite run over every repository, so "the same outcomes" is checked, not assumed.
//
// Each case makes its own customers (newCpf) so DynamoDB tables shared by parallel workers never
// collide, and passes the writer's clock (nowMs) explicitly. Expected sums come from an oracle over
// the readings the case stored, in Decimal, so exactness is checked against arithmetic, not against
// another repository.
import { newCustomerToken, newSecret } from '../core/access';
import { Decimal } from '../core/decimal';
import { InvalidInput, LuzError } from '../core/errors';
import type {
  ActiveAlarm,
  BucketLevel,
  Customer,
  GatewayFigures,
  Invoice,
  InvoiceRecord,
  MeterCredentials,
  Reading,
  ReadingPage,
  StoreOutcome,
  StoredToken,
} from '../core/model';
import type { Repository } from '../core/repository';
import { bucketsOf } from '../core/periods';
import { newCpf } from './fixtures';

const TIME_ZONE = 'America/Bahia';
const EXCESS_OVER_KWH = 1000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The writer's clock of most cases. */
const NOW = Date.parse('2025-08-02T15:00:00Z');
/** A reading more than this before the writer's clock is late (StoreOptions.nowMs). */
const LATE_AFTER_MS = DAY;
/** How far below the highest stored seq MeterCredentials.highestSeq may lag (its checkpoint step). */
const SEQ_SLACK = 64;
const t = (iso: string) => Date.parse(iso);

type OutcomeView =
  | { status: 'stored' | 'duplicate' }
  | { status: 'rejected'; error: { type: string; code: string; message: string; field?: string; storedValue?: number; sentValue?: number } };

/** An outcome as plain data: the error's class, code, message and field, so toEqual sees all of it. */
function view(outcome: StoreOutcome): OutcomeView {
  if (outcome.status !== 'rejected') return { status: outcome.status };
  const { error } = outcome;
  if (!(error instanceof LuzError)) throw new Error(`rejected with a non-domain error: ${String(error)}`);
  const values = error as unknown as { storedValue?: number; sentValue?: number };
  return {
    status: 'rejected',
    error: {
      type: error.constructor.name,
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(values.storedValue === undefined ? {} : { storedValue: values.storedValue, sentValue: values.sentValue }),
    },
  };
}

const STORED: OutcomeView = { status: 'stored' };
const DUPLICATE: OutcomeView = { status: 'duplicate' };
const conflict = (storedValue: number, sentValue: number): OutcomeView => ({
  status: 'rejected',
  error: {
    type: 'ReadingConflict',
    code: 'reading_conflict',
    message: `a reading with this meter and timestamp is already stored with valor ${storedValue}`,
    field: 'valor',
    storedValue,
    sentValue,
  },
});
const meterNotFound = (meterId: number): OutcomeView => ({
  status: 'rejected',
  error: { type: 'MeterNotFound', code: 'meter_not_found', message: `customer has no meter ${meterId}`, field: 'id_medidor' },
});
const CUSTOMER_NOT_FOUND: OutcomeView = {
  status: 'rejected',
  error: { type: 'CustomerNotFound', code: 'customer_not_found', message: 'no customer with this CPF', field: 'id' },
};

/** Decimal sums as strings keyed by bucket (key order is not part of the contract). */
const decimals = (sums: Map<string, Decimal>): Record<string, string> =>
  Object.fromEntries([...sums].map(([key, kwh]) => [key, kwh.toString()]));

const perMeter = (sums: Map<number, Decimal>): [number, string][] =>
  [...sums].map(([meterId, kwh]): [number, string] => [meterId, kwh.toString()]).sort((a, b) => a[0] - b[0]);

/** A reading as storage gives it back: without seq. */
const asStored = ({ seq: _seq, ...reading }: Reading): Reading => reading;
const byTime = (a: Reading, b: Reading) => a.timestampMs - b.timestampMs || a.meterId - b.meterId;

/** What sumBuckets must answer for these readings: Decimal sums per bucket in [first, last]. */
function expectedBuckets(readings: Reading[], level: BucketLevel, first: string, last: string): Record<string, string> {
  const sums = new Map<string, Decimal>();
  for (const reading of readings) {
    const key = bucketsOf(reading.timestampMs, TIME_ZONE)[level];
    if (key >= first && key <= last) sums.set(key, (sums.get(key) ?? new Decimal(0)).plus(reading.valor));
  }
  return decimals(sums);
}

function expectedMeterMonth(readings: Reading[], month: string): [number, string][] {
  const sums = new Map<number, Decimal>();
  for (const reading of readings) {
    if (bucketsOf(reading.timestampMs, TIME_ZONE).month !== month) continue;
    sums.set(reading.meterId, (sums.get(reading.meterId) ?? new Decimal(0)).plus(reading.valor));
  }
  return perMeter(sums);
}

function invoiceRecord(customerId: string, month: string, kwh: number): InvoiceRecord {
  const invoice: Invoice = {
    id: customerId,
    mes: month,
    situacao: 'fechada',
    numero: `${month.replace('-', '')}-000001`,
    emissao: `${month}-28T12:00:00.000Z`,
    vencimento: `${month}-28`,
    tarifa: 'flat-1.07',
    periodo: { inicio: `${month}-01T00:00:00-03:00`, fim: `${month}-28T00:00:00-03:00` },
    kwh,
    medidores: [{ id_medidor: 1, kwh }],
    itens: [{ descricao: 'Energia', quantidade: kwh, unidade: 'kWh', precoUnitario: 1.07, valor: kwh * 1.07 }],
    valor: kwh * 1.07,
  };
  return { customerId, month, invoice, minimumKwh: 30, perKwh: '1.07', accountedKwh: String(kwh), dueDays: 10 };
}

export function repositoryContract(name: string, make: () => Promise<Repository> | Repository): void {
  describe(`${name} satisfies the Repository contract`, () => {
    let repository: Repository;
    beforeAll(async () => {
      repository = await make();
    });

    const store = async (readings: Reading[], nowMs = NOW) =>
      (await repository.storeReadings(readings, { timeZone: TIME_ZONE, excessOverKwh: EXCESS_OVER_KWH, nowMs })).map(view);

    function token(customerId: string, createdMs = NOW): StoredToken {
      return { hash: newCustomerToken().hash, customerId, createdAt: new Date(createdMs).toISOString(), expiresAt: createdMs + 365 * DAY };
    }

    /** A new customer with `meters` meters; their secrets by meter id (index 0 is meter 1). */
    async function customerWith(meters = 0): Promise<{ id: string; token: StoredToken; secrets: string[] }> {
      const id = newCpf();
      const first = token(id);
      await repository.createCustomer({ id, name: 'Contrato', createdAt: new Date(NOW).toISOString() }, first);
      const secrets: string[] = [];
      for (let i = 0; i < meters; i++) {
        const secret = newSecret();
        expect(await repository.registerMeter(id, new Date(NOW).toISOString(), secret)).toBe(i + 1);
        secrets.push(secret);
      }
      return { id, token: first, secrets };
    }

    const reading = (customerId: string, meterId: number, iso: string | number, valor: number, seq?: number): Reading => ({
      customerId,
      meterId,
      valor,
      timestampMs: typeof iso === 'number' ? iso : t(iso),
      ...(seq === undefined ? {} : { seq }),
    });

    /** Every page of a listReadings walk (readings, and whether a cursor followed). */
    async function pagesOf(customerId: string, range: { startMs: number; endMs: number }, limit: number, maxPages = 1000) {
      const pages: { readings: Reading[]; more: boolean }[] = [];
      let cursor: string | undefined;
      do {
        const page: ReadingPage = await repository.listReadings(customerId, range, { limit, cursor });
        expect(page.readings.length).toBeLessThanOrEqual(limit);
        pages.push({ readings: page.readings, more: page.cursor !== null });
        cursor = page.cursor ?? undefined;
        if (pages.length > maxPages) throw new Error('listReadings never reached the end');
      } while (cursor !== undefined);
      return pages;
    }
    const flat = (pages: { readings: Reading[] }[]) => pages.flatMap((page) => page.readings);

    async function expectInvalidCursor(promise: Promise<unknown>): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InvalidInput);
      expect(error).toMatchObject({ code: 'invalid_input', field: 'cursor', message: expect.stringMatching(/^cursor: /) });
    }

    function expectSeqBound(credentials: MeterCredentials | undefined, highestStored: number): void {
      expect(credentials).toBeDefined();
      const { highestSeq } = credentials!;
      if (highestSeq === undefined) {
        expect(highestStored - SEQ_SLACK).toBeLessThanOrEqual(0);
        return;
      }
      expect(highestSeq).toBeLessThanOrEqual(highestStored);
      expect(highestSeq).toBeGreaterThanOrEqual(highestStored - SEQ_SLACK);
    }

    it('createCustomer stores the customer and its first token; the same CPF again is CustomerAlreadyExists and stores neither', async () => {
      const { id, token: first } = await customerWith();
      expect(await repository.getCustomer(id)).toEqual({ id, name: 'Contrato', createdAt: new Date(NOW).toISOString(), ligacao: 'monofasico' });
      expect(await repository.findToken(first.hash)).toEqual(first);

      const second = token(id);
      const error = await repository
        .createCustomer({ id, name: 'Outra', createdAt: new Date(NOW + 1).toISOString() }, second)
        .then(() => undefined, (caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'CustomerAlreadyExists', code: 'customer_exists', field: 'id', message: 'a customer with this CPF already exists' });
      expect(await repository.getCustomer(id)).toEqual({ id, name: 'Contrato', createdAt: new Date(NOW).toISOString(), ligacao: 'monofasico' });
      expect(await repository.findToken(second.hash)).toBeUndefined();
      expect(await repository.findToken(first.hash)).toEqual(first);
    });

    it('getCustomer: undefined for an unknown CPF, ligacao monofasico when absent, a stored ligacao as stored', async () => {
      expect(await repository.getCustomer(newCpf())).toBeUndefined();
      const id = newCpf();
      const customer: Customer = { id, name: 'Trifásica', createdAt: '2025-01-02T03:04:05.006Z', ligacao: 'trifasico' };
      await repository.createCustomer(customer, token(id));
      expect(await repository.getCustomer(id)).toEqual(customer);
      const plain = newCpf();
      await repository.createCustomer({ id: plain, name: 'Sem ligação', createdAt: '2025-01-02T03:04:05.006Z' }, token(plain));
      expect(await repository.getCustomer(plain)).toEqual({ id: plain, name: 'Sem ligação', createdAt: '2025-01-02T03:04:05.006Z', ligacao: 'monofasico' });
    });

    it('replaceToken stores the new token and revokes the previous one at its createdAt; findToken of an unknown hash is undefined', async () => {
      const { id, token: first } = await customerWith();
      const second = token(id, NOW + HOUR);
      await repository.replaceToken(second);
      expect(await repository.findToken(second.hash)).toEqual(second);
      expect(await repository.findToken(first.hash)).toEqual({ ...first, revokedAt: second.createdAt });
      const third = token(id, NOW + 2 * HOUR);
      await repository.replaceToken(third);
      expect(await repository.findToken(second.hash)).toEqual({ ...second, revokedAt: third.createdAt });
      expect(await repository.findToken(first.hash)).toEqual({ ...first, revokedAt: second.createdAt });
      expect(await repository.findToken(third.hash)).toEqual(third);
      expect(await repository.findToken(newCustomerToken().hash)).toBeUndefined();
      await expect(repository.replaceToken(token(newCpf()))).rejects.toMatchObject({ code: 'customer_not_found' });
    });

    it('registerMeter allocates 1, 2, 3 per customer; an unknown customer is CustomerNotFound', async () => {
      const a = await customerWith(3);
      const b = await customerWith(1);
      expect(a.secrets).toHaveLength(3);
      expect(await repository.registerMeter(b.id, new Date(NOW).toISOString(), newSecret())).toBe(2);
      const error = await repository.registerMeter(newCpf(), new Date(NOW).toISOString(), newSecret()).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ name: 'CustomerNotFound', code: 'customer_not_found', field: 'id' });
      expect((await repository.listMeters(a.id)).map((meter) => meter.meterId)).toEqual([1, 2, 3]);
    });

    it('20 concurrent registerMeter calls get the ids 1..20, no gaps, no repeats', async () => {
      const { id } = await customerWith();
      const ids = await Promise.all(Array.from({ length: 20 }, () => repository.registerMeter(id, new Date(NOW).toISOString(), newSecret())));
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await repository.listMeters(id)).map((meter) => meter.meterId)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('meterCredentials gives each meter its secret; replaceMeterSecret replaces it; unknown meter or customer: undefined / MeterNotFound / CustomerNotFound', async () => {
      const { id, secrets } = await customerWith(2);
      expect(await repository.meterCredentials(id, 1)).toEqual({ secret: secrets[0] });
      expect(await repository.meterCredentials(id, 2)).toEqual({ secret: secrets[1] });
      expect(await repository.meterCredentials(id, 3)).toBeUndefined();
      expect(await repository.meterCredentials(newCpf(), 1)).toBeUndefined();
      const replaced = newSecret();
      await repository.replaceMeterSecret(id, 2, replaced, new Date(NOW + HOUR).toISOString());
      expect(await repository.meterCredentials(id, 2)).toEqual({ secret: replaced });
      expect(await repository.meterCredentials(id, 1)).toEqual({ secret: secrets[0] });
      await expect(repository.replaceMeterSecret(id, 3, newSecret(), new Date(NOW).toISOString())).rejects.toMatchObject({
        name: 'MeterNotFound',
        code: 'meter_not_found',
        message: 'customer has no meter 3',
      });
      await expect(repository.replaceMeterSecret(newCpf(), 1, newSecret(), new Date(NOW).toISOString())).rejects.toMatchObject({
        name: 'CustomerNotFound',
        code: 'customer_not_found',
      });
    });

    it('storeReadings settles one batch: stored, duplicate, conflict, meter_not_found, customer_not_found, repeats inside the batch', async () => {
      const { id } = await customerWith(2);
      const when = '2025-07-01T12:00:00Z';
      expect(await store([reading(id, 1, when, 5)])).toEqual([STORED]);
      const outcomes = await store([
        reading(id, 1, when, 5), // already stored
        reading(id, 1, when, 6), // same identity, other value
        reading(id, 2, when, 1.5), // new
        reading(id, 3, when, 1), // no such meter
        reading(newCpf(), 1, when, 1), // no such customer
        reading(id, 2, when, 1.5), // repeat inside the batch
        reading(id, 2, when, 2), // repeat inside the batch, other value
        reading(id, 3, when, 1), // repeat of a rejected one
      ]);
      expect(outcomes).toEqual([DUPLICATE, conflict(5, 6), STORED, meterNotFound(3), CUSTOMER_NOT_FOUND, DUPLICATE, conflict(1.5, 2), meterNotFound(3)]);
      expect(await repository.findReading(id, 1, t(when))).toEqual(reading(id, 1, when, 5));
      expect(await repository.findReading(id, 2, t(when))).toEqual(reading(id, 2, when, 1.5));
      expect(decimals(await repository.sumBuckets(id, 'month', '2025-07', '2025-07'))).toEqual({ '2025-07': '6.5' });
      expect(perMeter(await repository.meterMonthKwh(id, '2025-07'))).toEqual([[1, '5'], [2, '1.5']]);
    });

    it('a repeat inside a batch is settled against the stored reading: [other value, stored value] → conflict, duplicate', async () => {
      const { id } = await customerWith(1);
      const when = '2025-07-02T12:00:00Z';
      expect(await store([reading(id, 1, when, 5)])).toEqual([STORED]);
      expect(await store([reading(id, 1, when, 6), reading(id, 1, when, 5)])).toEqual([conflict(5, 6), DUPLICATE]);
      expect(decimals(await repository.sumBuckets(id, 'day', '2025-07-02', '2025-07-02'))).toEqual({ '2025-07-02': '5' });
    });

    it('concurrent identical batches store each reading once: one stored, the rest duplicate', async () => {
      const { id } = await customerWith(2);
      const batch = [reading(id, 1, '2025-07-03T12:00:00Z', 0.1), reading(id, 2, '2025-07-03T12:00:00Z', 0.2), reading(id, 1, '2025-07-03T12:15:00Z', 0.3)];
      const results = await Promise.all(Array.from({ length: 5 }, () => store(batch)));
      for (let i = 0; i < batch.length; i++) {
        const statuses = results.map((outcomes) => outcomes[i].status).sort();
        expect(statuses).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'stored']);
      }
      expect(decimals(await repository.sumBuckets(id, 'day', '2025-07-03', '2025-07-03'))).toEqual({ '2025-07-03': '0.6' });
    });

    it('a batch of 240 readings over 60 customers is stored whole and summed exactly; resent, all are duplicates', async () => {
      const customers = await Promise.all(Array.from({ length: 60 }, () => customerWith(1).then((customer) => customer.id)));
      const readings = customers.flatMap((id, n) =>
        [0.1, 0.2, 0.3, 0.4].map((valor, k) => reading(id, 1, t('2025-06-10T12:00:00Z') + k * DAY + n, valor)),
      );
      expect(await store(readings, t('2025-06-14T12:00:00Z'))).toEqual(Array(240).fill(STORED));
      expect(await store(readings, t('2025-06-14T12:00:00Z'))).toEqual(Array(240).fill(DUPLICATE));
      for (const id of customers) {
        expect(decimals(await repository.sumBuckets(id, 'month', '2025-06', '2025-06'))).toEqual({ '2025-06': '1' });
      }
      expect(perMeter(await repository.meterMonthKwh(customers[59], '2025-06'))).toEqual([[1, '1']]);
      expect(flat(await pagesOf(customers[0], { startMs: t('2025-06-01T03:00:00Z'), endMs: t('2025-07-01T03:00:00Z') }, 100))).toEqual(
        readings.filter((entry) => entry.customerId === customers[0]),
      );
    });

    it('360 readings of one meter in one block (a minute apart, as a migration page brings them), on time and late, are stored once each and summed exactly', async () => {
      const { id } = await customerWith(1);
      // 06:00–12:00 local (America/Bahia is UTC−3): one 6-hour block.
      const start = t('2025-06-10T09:00:00Z');
      const readings = Array.from({ length: 360 }, (_, n) => reading(id, 1, start + n * 60_000, 0.01));
      expect(await store(readings, start + 7 * HOUR)).toEqual(Array(360).fill(STORED));
      expect(await store(readings, start + 3 * DAY)).toEqual(Array(360).fill(DUPLICATE));
      expect(decimals(await repository.sumBuckets(id, 'day', '2025-06-10', '2025-06-10'))).toEqual({ '2025-06-10': '3.6' });
      expect(flat(await pagesOf(id, { startMs: start, endMs: start + 6 * HOUR }, 500))).toEqual(readings);
      const other = await customerWith(1);
      const lateOnes = Array.from({ length: 100 }, (_, n) => reading(other.id, 1, start + n * 60_000, 0.02));
      expect(await store(lateOnes, start + 3 * DAY)).toEqual(Array(100).fill(STORED));
      expect(decimals(await repository.sumBuckets(other.id, 'month', '2025-06', '2025-06'))).toEqual({ '2025-06': '2' });
    });

    it('sumBuckets sums hour, day and month buckets exactly in decimal (0.1 + 0.2 = 0.3), omits absent buckets, and its ranges are inclusive', async () => {
      const { id } = await customerWith(2);
      expect(
        await store([
          reading(id, 1, '2025-07-10T12:00:00Z', 0.1),
          reading(id, 1, '2025-07-10T12:30:00Z', 0.2),
          reading(id, 1, '2025-07-10T14:00:00Z', 0.7),
          reading(id, 2, '2025-07-11T12:00:00Z', 1.05),
          reading(id, 1, '2025-07-20T12:00:00Z', 2.5),
          reading(id, 2, '2025-09-05T12:00:00Z', 3),
        ]),
      ).toEqual(Array(6).fill(STORED));
      const sums = async (level: BucketLevel, first: string, last: string) => decimals(await repository.sumBuckets(id, level, first, last));
      expect(await sums('hour', '2025-07-10T00', '2025-07-10T23')).toEqual({ '2025-07-10T09': '0.3', '2025-07-10T11': '0.7' });
      expect(await sums('hour', '2025-07-10T09', '2025-07-10T09')).toEqual({ '2025-07-10T09': '0.3' });
      expect(await sums('hour', '2025-07-10T10', '2025-07-10T10')).toEqual({});
      expect(await sums('hour', '2025-07-10T09', '2025-07-10T11')).toEqual({ '2025-07-10T09': '0.3', '2025-07-10T11': '0.7' });
      expect(await sums('day', '2025-07-01', '2025-07-31')).toEqual({ '2025-07-10': '1', '2025-07-11': '1.05', '2025-07-20': '2.5' });
      expect(await sums('day', '2025-07-11', '2025-07-20')).toEqual({ '2025-07-11': '1.05', '2025-07-20': '2.5' });
      expect(await sums('month', '2025-01', '2025-12')).toEqual({ '2025-07': '4.55', '2025-09': '3' });
      expect(await sums('month', '2025-08', '2025-08')).toEqual({});
      expect(decimals(await repository.sumBuckets(newCpf(), 'month', '2025-01', '2025-12'))).toEqual({});
    });

    it('buckets follow America/Bahia: 02:59Z on the 1st is the previous local day and month, 03:00Z the new one', async () => {
      const { id } = await customerWith(1);
      expect(
        await store([
          reading(id, 1, '2025-07-01T02:59:59.999Z', 0.5),
          reading(id, 1, '2025-07-01T03:00:00Z', 0.25),
          reading(id, 1, '2025-08-01T02:59:00Z', 1),
          reading(id, 1, '2025-08-01T03:00:00Z', 10),
        ]),
      ).toEqual(Array(4).fill(STORED));
      expect(decimals(await repository.sumBuckets(id, 'month', '2025-01', '2025-12'))).toEqual({ '2025-06': '0.5', '2025-07': '1.25', '2025-08': '10' });
      expect(decimals(await repository.sumBuckets(id, 'day', '2025-06-01', '2025-08-31'))).toEqual({
        '2025-06-30': '0.5',
        '2025-07-01': '0.25',
        '2025-07-31': '1',
        '2025-08-01': '10',
      });
      expect(decimals(await repository.sumBuckets(id, 'hour', '2025-06-30T00', '2025-08-01T23'))).toEqual({
        '2025-06-30T23': '0.5',
        '2025-07-01T00': '0.25',
        '2025-07-31T23': '1',
        '2025-08-01T00': '10',
      });
      expect(perMeter(await repository.meterMonthKwh(id, '2025-07'))).toEqual([[1, '1.25']]);
    });

    it('meterMonthKwh sums each meter of a month exactly and omits meters without readings that month', async () => {
      const { id } = await customerWith(3);
      expect(
        await store([
          reading(id, 1, '2025-07-10T12:00:00Z', 0.1),
          reading(id, 1, '2025-07-11T12:00:00Z', 0.2),
          reading(id, 2, '2025-07-11T12:00:00Z', 1.5),
          reading(id, 2, '2025-08-01T02:59:00Z', 0.05),
          reading(id, 3, '2025-08-01T03:00:00Z', 2),
        ]),
      ).toEqual(Array(5).fill(STORED));
      expect(perMeter(await repository.meterMonthKwh(id, '2025-07'))).toEqual([[1, '0.3'], [2, '1.55']]);
      expect(perMeter(await repository.meterMonthKwh(id, '2025-08'))).toEqual([[3, '2']]);
      expect(perMeter(await repository.meterMonthKwh(id, '2025-09'))).toEqual([]);
      expect(perMeter(await repository.meterMonthKwh(newCpf(), '2025-07'))).toEqual([]);
    });

    it('listReadings gives [startMs, endMs) oldest first across meters at interleaved times (equal times in meter order)', async () => {
      const { id } = await customerWith(3);
      const all = [
        reading(id, 2, '2025-07-10T12:10:00Z', 4),
        reading(id, 1, '2025-07-10T12:15:00Z', 5),
        reading(id, 3, '2025-07-10T12:00:00Z', 2),
        reading(id, 1, '2025-07-10T12:00:00Z', 1),
        reading(id, 2, '2025-07-10T12:05:00Z', 3),
        reading(id, 1, '2025-07-10T11:59:59.999Z', 0.5),
      ];
      expect(await store(all.slice(0, 3))).toEqual(Array(3).fill(STORED));
      expect(await store(all.slice(3))).toEqual(Array(3).fill(STORED));
      const range = { startMs: t('2025-07-10T12:00:00Z'), endMs: t('2025-07-10T12:15:00Z') };
      expect(await repository.listReadings(id, range, { limit: 100 })).toEqual({
        readings: [all[3], all[2], all[4], all[0]],
        cursor: null,
      });
      expect(await repository.listReadings(id, { ...range, endMs: range.endMs + 1 }, { limit: 100 })).toEqual({
        readings: [all[3], all[2], all[4], all[0], all[1]],
        cursor: null,
      });
      expect(await repository.listReadings(id, { startMs: range.startMs - 1, endMs: range.startMs }, { limit: 100 })).toEqual({
        readings: [all[5]],
        cursor: null,
      });
      expect(await repository.listReadings(newCpf(), range, { limit: 100 })).toEqual({ readings: [], cursor: null });
    });

    it('listReadings pages with limit and cursor give every reading exactly once; a foreign or garbage cursor is InvalidInput (cursor)', async () => {
      const { id } = await customerWith(2);
      const readings = Array.from({ length: 23 }, (_, n) => reading(id, (n % 2) + 1, t('2025-07-12T03:00:00Z') + Math.floor(n / 2) * 15 * MINUTE + (n % 3) * MINUTE, n / 10));
      expect(await store(readings, t('2025-07-12T12:00:00Z'))).toEqual(Array(23).fill(STORED));
      const day = { startMs: t('2025-07-12T03:00:00Z'), endMs: t('2025-07-13T03:00:00Z') };
      const expected = [...readings].sort(byTime);
      for (const limit of [1, 5, 23, 50]) {
        expect(flat(await pagesOf(id, day, limit))).toEqual(expected);
      }
      const first = await repository.listReadings(id, day, { limit: 5 });
      expect(first.readings).toEqual(expected.slice(0, 5));
      expect(first.cursor).toEqual(expect.any(String));
      expect((await repository.listReadings(id, day, { limit: 5, cursor: first.cursor! })).readings).toEqual(expected.slice(5, 10));
      const nextDay = { startMs: t('2025-07-13T03:00:00Z'), endMs: t('2025-07-14T03:00:00Z') };
      await expectInvalidCursor(repository.listReadings(id, nextDay, { limit: 5, cursor: first.cursor! }));
      await expectInvalidCursor(repository.listReadings(id, day, { limit: 5, cursor: 'not a cursor' }));
      await expectInvalidCursor(repository.listReadings(id, day, { limit: 5, cursor: Buffer.from('{"sk":1}').toString('base64url') }));
    });

    it('excessReadings gives the readings of that month above excessOverKwh (not equal to it)', async () => {
      const { id } = await customerWith(2);
      const above = [reading(id, 1, '2025-07-05T12:00:00Z', 1000.5), reading(id, 2, '2025-07-06T12:00:00Z', 1200), reading(id, 1, '2025-08-01T02:59:00Z', 1100)];
      const august = reading(id, 2, '2025-08-01T03:00:00Z', 1500);
      expect(await store([reading(id, 1, '2025-07-04T12:00:00Z', 1000), ...above, august, reading(id, 2, '2025-07-07T12:00:00Z', 3)])).toEqual(Array(6).fill(STORED));
      expect([...(await repository.excessReadings(id, '2025-07'))].sort(byTime)).toEqual(above);
      expect(await repository.excessReadings(id, '2025-08')).toEqual([august]);
      expect(await repository.excessReadings(id, '2025-06')).toEqual([]);
      expect(await repository.excessReadings(newCpf(), '2025-07')).toEqual([]);
    });

    it('findReading, listReadings and excessReadings give readings as stored: without seq', async () => {
      const { id } = await customerWith(2);
      const signed = [reading(id, 1, '2025-07-08T12:00:00Z', 1300, 7), reading(id, 1, '2025-07-08T12:15:00Z', 2, 8)];
      expect(await store(signed)).toEqual([STORED, STORED]);
      expect(await repository.findReading(id, 1, signed[0].timestampMs)).toEqual(asStored(signed[0]));
      expect(await repository.findReading(id, 2, signed[0].timestampMs)).toBeUndefined();
      expect(await repository.findReading(id, 1, signed[0].timestampMs + 1)).toBeUndefined();
      expect(await repository.findReading(newCpf(), 1, signed[0].timestampMs)).toBeUndefined();
      expect(flat(await pagesOf(id, { startMs: t('2025-07-08T03:00:00Z'), endMs: t('2025-07-09T03:00:00Z') }, 10))).toEqual(signed.map(asStored));
      expect(await repository.excessReadings(id, '2025-07')).toEqual([asStored(signed[0])]);
    });

    it('listMeters gives every meter with its createdAt and the newest reading time (lastReadingMs)', async () => {
      const { id } = await customerWith(3);
      const createdAt = new Date(NOW).toISOString();
      expect(await repository.listMeters(id)).toEqual([{ meterId: 1, createdAt }, { meterId: 2, createdAt }, { meterId: 3, createdAt }]);
      const newest = NOW - 10 * MINUTE;
      expect(await store([reading(id, 1, NOW - 40 * MINUTE, 1), reading(id, 1, newest, 1), reading(id, 3, NOW - 25 * MINUTE, 1), reading(id, 1, NOW - 20 * MINUTE, 1)])).toEqual(Array(4).fill(STORED));
      expect(await repository.listMeters(id)).toEqual([
        { meterId: 1, createdAt, lastReadingMs: newest },
        { meterId: 2, createdAt },
        { meterId: 3, createdAt, lastReadingMs: NOW - 25 * MINUTE },
      ]);
      expect(await repository.listMeters(newCpf())).toEqual([]);
    });

    it('saveInvoice: saved, exists, stale (a settled month changed or never closed), all or nothing; getInvoiceRecord; listInvoiceRecords oldest first', async () => {
      const { id } = await customerWith(1);
      const march = invoiceRecord(id, '2025-03', 120);
      expect(await repository.saveInvoice(march, [])).toBe('saved');
      expect(await repository.saveInvoice(invoiceRecord(id, '2025-03', 999), [])).toBe('exists');
      expect(await repository.getInvoiceRecord(id, '2025-03')).toEqual(march);
      const january = invoiceRecord(id, '2025-01', 80.5);
      expect(await repository.saveInvoice(january, [])).toBe('saved');

      const april = invoiceRecord(id, '2025-04', 90);
      expect(await repository.saveInvoice(april, [{ month: '2025-03', fromKwh: '119', toKwh: '125.5' }])).toBe('stale');
      expect(await repository.saveInvoice(april, [{ month: '2025-02', fromKwh: '0', toKwh: '1' }])).toBe('stale');
      expect(await repository.getInvoiceRecord(id, '2025-04')).toBeUndefined();
      expect(await repository.getInvoiceRecord(id, '2025-03')).toEqual(march);
      expect(await repository.saveInvoice(april, [{ month: '2025-03', fromKwh: '120', toKwh: '125.5' }, { month: '2025-01', fromKwh: '80.5', toKwh: '81' }])).toBe('saved');
      const marchSettled = { ...march, accountedKwh: '125.5' };
      const januarySettled = { ...january, accountedKwh: '81' };
      expect(await repository.getInvoiceRecord(id, '2025-03')).toEqual(marchSettled);
      expect(await repository.listInvoiceRecords(id)).toEqual([januarySettled, marchSettled, april]);
      expect(await repository.getInvoiceRecord(id, '2025-05')).toBeUndefined();
      const { id: other } = await customerWith(0);
      expect(await repository.listInvoiceRecords(other)).toEqual([]);
    });

    it('fireAlarm is true once then false while active; clearAlarm clears only that firing; activeAlarms; alarmEvents newest first with limit', async () => {
      const { id } = await customerWith(2);
      const month: ActiveAlarm = { customerId: id, key: 'limite_mes', regra: 'limite_mes', firedMs: NOW - 3 * HOUR, mensagem: 'Excesso! o mês passou de 1000 kWh' };
      const silent: ActiveAlarm = { customerId: id, key: 'silencio#2', regra: 'silencio', meterId: 2, firedMs: NOW - 2 * HOUR, mensagem: 'medidor 2 em silêncio' };
      const byKey = (alarms: ActiveAlarm[]) => [...alarms].sort((a, b) => a.key.localeCompare(b.key));
      expect(await repository.activeAlarms(id)).toEqual([]);
      expect(await repository.fireAlarm(month)).toBe(true);
      expect(await repository.fireAlarm(month)).toBe(false);
      expect(await repository.fireAlarm({ ...month, firedMs: NOW - HOUR })).toBe(false);
      expect(await repository.fireAlarm(silent)).toBe(true);
      expect(byKey(await repository.activeAlarms(id))).toEqual([month, silent]);

      expect(await repository.clearAlarm({ ...month, firedMs: NOW - HOUR }, NOW)).toBe(false);
      expect(await repository.clearAlarm(month, NOW - 90 * MINUTE)).toBe(true);
      expect(await repository.clearAlarm(month, NOW)).toBe(false);
      expect(await repository.activeAlarms(id)).toEqual([silent]);
      const again = { ...month, firedMs: NOW - HOUR };
      expect(await repository.fireAlarm(again)).toBe(true);
      expect(byKey(await repository.activeAlarms(id))).toEqual([again, silent]);

      const event = ({ customerId: _customerId, ...alarm }: ActiveAlarm, clearedMs?: number) => ({ ...alarm, ...(clearedMs === undefined ? {} : { clearedMs }) });
      expect(await repository.alarmEvents(id, 10)).toEqual([event(again), event(silent), event(month, NOW - 90 * MINUTE)]);
      expect(await repository.alarmEvents(id, 2)).toEqual([event(again), event(silent)]);
      expect(await repository.alarmEvents(newCpf(), 10)).toEqual([]);
    });

    it('acknowledgeAlarm keeps the first acknowledgement (when, staff or cliente) of that firing only; unknown firing → undefined', async () => {
      const { id } = await customerWith(1);
      const month: ActiveAlarm = { customerId: id, key: 'total_mensal', regra: 'total_mensal', firedMs: NOW - 3 * HOUR, mensagem: 'acima do limite' };
      expect(await repository.fireAlarm(month)).toBe(true);
      const which = { key: month.key, firedMs: month.firedMs };
      const { customerId: _customerId, ...event } = month;
      const acknowledged = { ...event, acknowledgedMs: NOW - HOUR, acknowledgedBy: 'cliente' };
      expect(await repository.acknowledgeAlarm(id, which, { atMs: NOW - HOUR, by: 'cliente' })).toEqual(acknowledged);
      expect(await repository.acknowledgeAlarm(id, which, { atMs: NOW, by: 'staff' })).toEqual(acknowledged);
      expect(await repository.acknowledgeAlarm(id, { ...which, firedMs: NOW }, { atMs: NOW, by: 'staff' })).toBeUndefined();
      expect(await repository.acknowledgeAlarm(newCpf(), which, { atMs: NOW, by: 'staff' })).toBeUndefined();
      // Clearing keeps the acknowledgement; still active, a repeated firing opens no second event.
      expect(await repository.fireAlarm({ ...month, firedMs: NOW - 30 * MINUTE })).toBe(false);
      expect(await repository.clearAlarm(month, NOW)).toBe(true);
      expect(await repository.alarmEvents(id, 10)).toEqual([{ ...acknowledged, clearedMs: NOW }]);
      expect(await repository.activeAlarms(id)).toEqual([]);
    });

    it('listActiveAlarms pages over every customer active alarm exactly once, ordered by customer; a garbage cursor is InvalidInput (cursor)', async () => {
      const customers = await Promise.all([customerWith(1), customerWith(1), customerWith(1)]);
      const mine: ActiveAlarm[] = [];
      for (const [n, { id }] of customers.entries()) {
        for (const key of n === 1 ? ['limite_mes', 'silencio#1'] : ['limite_mes']) {
          const alarm: ActiveAlarm = {
            customerId: id,
            key,
            regra: key.split('#')[0],
            ...(key.includes('#') ? { meterId: 1 } : {}),
            firedMs: NOW - n * MINUTE,
            mensagem: `alarme ${key}`,
          };
          expect(await repository.fireAlarm(alarm)).toBe(true);
          mine.push(alarm);
        }
      }
      const ids = new Set(customers.map((customer) => customer.id));
      const seen: ActiveAlarm[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        const page = await repository.listActiveAlarms({ limit: 2, cursor });
        expect(page.alarms.length).toBeLessThanOrEqual(2);
        seen.push(...page.alarms);
        if (page.cursor === null) break;
        cursor = page.cursor;
        if (pages > 10_000) throw new Error('listActiveAlarms never reached the end');
      }
      const ours = seen.filter((alarm) => ids.has(alarm.customerId));
      const order = (a: ActiveAlarm, b: ActiveAlarm) => a.customerId.localeCompare(b.customerId) || a.key.localeCompare(b.key);
      expect([...ours].sort(order)).toEqual([...mine].sort(order));
      expect(ours.map((alarm) => alarm.customerId)).toEqual([...ours].sort(order).map((alarm) => alarm.customerId));
      await expectInvalidCursor(repository.listActiveAlarms({ limit: 2, cursor: 'not a cursor' }));
    });

    it('listCustomerIds pages cover every customer exactly once', async () => {
      const customers = await Promise.all([customerWith(0), customerWith(0), customerWith(0)]);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        const page = await repository.listCustomerIds({ limit: 50, cursor });
        expect(page.ids.length).toBeLessThanOrEqual(50);
        seen.push(...page.ids);
        if (page.cursor === null) break;
        cursor = page.cursor;
        if (pages > 10_000) throw new Error('listCustomerIds never reached the end');
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const { id } of customers) expect(seen).toContain(id);
    });

    it('publishGatewayFigures replaces an instance\'s figures (expiry in whole seconds, rounded down); listGatewayFigures gives every instance, expired ones too', async () => {
      const name = () => `contract-${newSecret().slice(0, 12)}`;
      const [first, second] = [name(), name()];
      const figures = (instanceId: string, stored: number, expiresMs: number): GatewayFigures => ({
        instanceId,
        startedMs: NOW - MINUTE,
        publishedMs: NOW,
        expiresMs,
        received: stored + 3,
        stored,
        duplicates: 1,
        rejected: { invalid_input: 1, bad_mac: 1 },
        inFlight: 0,
        perSecond: 12,
        p50Ms: 4.5,
        p99Ms: 20.1,
      });
      await repository.publishGatewayFigures(figures(first, 5, NOW + 15_000));
      await repository.publishGatewayFigures(figures(first, 9, NOW + 20_000));
      await repository.publishGatewayFigures({ ...figures(second, 0, NOW - 1000), rejected: {}, p50Ms: null, p99Ms: null });
      const listed = (await repository.listGatewayFigures()).filter((item) => [first, second].includes(item.instanceId));
      expect(listed.sort((a, b) => a.instanceId.localeCompare(b.instanceId))).toEqual(
        [figures(first, 9, NOW + 20_000), { ...figures(second, 0, NOW - 1000), rejected: {}, p50Ms: null, p99Ms: null }].sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
      );
      // An expiry within a second is kept as that whole second (DynamoDB's TTL is in seconds): "gone now" is never alive later.
      await repository.publishGatewayFigures(figures(first, 9, NOW + 20_999));
      expect((await repository.listGatewayFigures()).find((item) => item.instanceId === first)?.expiresMs).toBe(NOW + 20_000);
    });

    it('consolidate changes no answer: every read is the same before, after, and after twice; readings stored after it count once', async () => {
      const { id } = await customerWith(2);
      const values = [0.1, 0.2, 0.3, 1.05, 2.5, 0.7];
      const oldTimes = [
        '2025-06-10T12:00:00Z',
        '2025-06-30T23:30:00Z',
        '2025-07-01T02:59:00Z',
        '2025-07-15T12:00:00Z',
        '2025-07-15T12:15:00Z',
        '2025-07-31T12:00:00Z',
        '2025-08-01T02:59:00Z',
        '2025-08-01T03:00:00Z',
        '2025-08-01T20:00:00Z',
      ];
      const old = oldTimes.flatMap((iso, n) => [reading(id, 1, iso, values[n % values.length]), reading(id, 2, t(iso) + 5 * MINUTE, values[(n + 1) % values.length])]);
      old.push(reading(id, 2, '2025-07-20T12:00:00Z', 1200.25));
      // The last hours before NOW, every 15 minutes on both meters, one above the excess threshold.
      const recent = Array.from({ length: 16 }, (_, n) => reading(id, (n % 2) + 1, NOW - 4 * HOUR + Math.floor(n / 2) * 15 * MINUTE + (n % 2) * MINUTE, values[n % values.length]));
      recent.push(reading(id, 1, NOW - 5 * MINUTE, 1500));
      // Older readings arrived on time, each stored by a writer whose clock was just after it.
      for (const entry of old) expect(await store([entry], entry.timestampMs + 5 * MINUTE)).toEqual([STORED]);
      expect(await store(recent, NOW)).toEqual(Array(recent.length).fill(STORED));

      const months = ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
      const wide = { startMs: t('2025-05-01T03:00:00Z'), endMs: t('2025-10-01T03:00:00Z') };
      const lastDay = { startMs: t('2025-08-02T03:00:00Z'), endMs: t('2025-08-03T03:00:00Z') };
      const probes = [...old.slice(0, 4), recent[0], recent[recent.length - 1], reading(id, 1, '2025-07-15T12:01:00Z', 0)];
      const reads = async () => ({
        hours: decimals(await repository.sumBuckets(id, 'hour', '2025-05-01T00', '2025-09-30T23')),
        days: decimals(await repository.sumBuckets(id, 'day', '2025-05-01', '2025-09-30')),
        someDays: decimals(await repository.sumBuckets(id, 'day', '2025-06-30', '2025-08-01')),
        months: decimals(await repository.sumBuckets(id, 'month', '2025-01', '2025-12')),
        meterMonths: await Promise.all(months.map(async (month) => perMeter(await repository.meterMonthKwh(id, month)))),
        pages: await pagesOf(id, wide, 7),
        lastDayPages: await pagesOf(id, lastDay, 3),
        excess: await Promise.all(months.map(async (month) => [...(await repository.excessReadings(id, month))].sort(byTime))),
        meters: await repository.listMeters(id),
        found: await Promise.all(probes.map((probe) => repository.findReading(id, probe.meterId, probe.timestampMs))),
      });
      const expectedFrom = (stored: Reading[]) => ({
        hours: expectedBuckets(stored, 'hour', '2025-05-01T00', '2025-09-30T23'),
        days: expectedBuckets(stored, 'day', '2025-05-01', '2025-09-30'),
        someDays: expectedBuckets(stored, 'day', '2025-06-30', '2025-08-01'),
        months: expectedBuckets(stored, 'month', '2025-01', '2025-12'),
        meterMonths: months.map((month) => expectedMeterMonth(stored, month)),
        readings: [...stored].sort(byTime),
        lastDay: stored.filter((entry) => entry.timestampMs >= lastDay.startMs && entry.timestampMs < lastDay.endMs).sort(byTime),
        excess: months.map((month) => stored.filter((entry) => entry.valor > EXCESS_OVER_KWH && bucketsOf(entry.timestampMs, TIME_ZONE).month === month).sort(byTime)),
      });
      const expectMatches = (got: Awaited<ReturnType<typeof reads>>, stored: Reading[]) => {
        const expected = expectedFrom(stored);
        expect(got.hours).toEqual(expected.hours);
        expect(got.days).toEqual(expected.days);
        expect(got.someDays).toEqual(expected.someDays);
        expect(got.months).toEqual(expected.months);
        expect(got.meterMonths).toEqual(expected.meterMonths);
        expect(flat(got.pages)).toEqual(expected.readings);
        expect(flat(got.lastDayPages)).toEqual(expected.lastDay);
        expect(got.excess).toEqual(expected.excess);
      };

      let stored = [...old, ...recent];
      const before = await reads();
      expectMatches(before, stored);
      expect(before.found).toEqual([...probes.slice(0, 6), undefined]);
      const firstPage = await repository.listReadings(id, wide, { limit: 7 });

      await repository.consolidate(id, { timeZone: TIME_ZONE, nowMs: NOW });
      expect(await reads()).toEqual(before);
      // A client paging across the sweep goes on where it was.
      expect((await repository.listReadings(id, wide, { limit: 7, cursor: firstPage.cursor! })).readings).toEqual(before.pages[1].readings);
      await repository.consolidate(id, { timeZone: TIME_ZONE, nowMs: NOW });
      expect(await reads()).toEqual(before);

      const later = NOW + 10 * MINUTE;
      const fresh = [reading(id, 1, NOW + 5 * MINUTE, 0.1), reading(id, 2, NOW + 6 * MINUTE, 0.2)];
      const lateForConsolidatedDays = [reading(id, 1, '2025-06-10T13:00:00Z', 0.2), reading(id, 2, '2025-07-31T15:00:00Z', 0.1), reading(id, 1, '2025-08-01T02:58:00Z', 0.3)];
      const outcomes = await store(
        [
          ...fresh,
          old[0], // duplicate of a consolidated reading
          { ...old[3], valor: old[3].valor + 1 }, // conflict with a consolidated reading
          recent[2], // duplicate of a recent one
          ...lateForConsolidatedDays,
          lateForConsolidatedDays[0], // repeat inside the batch
        ],
        later,
      );
      expect(outcomes).toEqual([STORED, STORED, DUPLICATE, conflict(old[3].valor, old[3].valor + 1), DUPLICATE, STORED, STORED, STORED, DUPLICATE]);
      stored = [...stored, ...fresh, ...lateForConsolidatedDays];
      const after = await reads();
      expectMatches(after, stored);
      for (const entry of [...fresh, ...lateForConsolidatedDays]) {
        expect(await repository.findReading(id, entry.meterId, entry.timestampMs)).toEqual(entry);
      }

      await repository.consolidate(id, { timeZone: TIME_ZONE, nowMs: later });
      expect(await reads()).toEqual(after);
      // A sweep days later folds today's readings too; still no answer changes.
      await repository.consolidate(id, { timeZone: TIME_ZONE, nowMs: later + 3 * DAY });
      expect(await reads()).toEqual(after);
      expect(await store([old[5], { ...recent[4], valor: recent[4].valor + 2 }, fresh[0]], later + 3 * DAY)).toEqual([
        DUPLICATE,
        conflict(recent[4].valor, recent[4].valor + 2),
        DUPLICATE,
      ]);
      expect(await reads()).toEqual(after);
    });

    it('totals read near the real clock add up wherever the fold stopped: not yet, days behind, or caught up', async () => {
      // The DynamoDB repository reads the last days' blocks at once and older ones only when folding
      // lags (RECENT_BLOCKS_MS); this case puts unfolded blocks on both sides of that split.
      const { id } = await customerWith(2);
      const realNow = Date.now();
      const readings = Array.from({ length: 40 }, (_, n) => reading(id, (n % 2) + 1, realNow - 10 * DAY + n * 6 * HOUR + (n % 2) * MINUTE, 0.05 * (n + 1)));
      for (const entry of readings) expect(await store([entry], entry.timestampMs + 5 * MINUTE)).toEqual([STORED]);
      const first = bucketsOf(realNow - 11 * DAY, TIME_ZONE);
      const last = bucketsOf(realNow + DAY, TIME_ZONE);
      const newest = (meterId: number) => Math.max(...readings.filter((entry) => entry.meterId === meterId).map((entry) => entry.timestampMs));
      const check = async () => {
        expect(decimals(await repository.sumBuckets(id, 'day', first.day, last.day))).toEqual(expectedBuckets(readings, 'day', first.day, last.day));
        expect(decimals(await repository.sumBuckets(id, 'month', first.month, last.month))).toEqual(expectedBuckets(readings, 'month', first.month, last.month));
        expect(perMeter(await repository.meterMonthKwh(id, last.month))).toEqual(expectedMeterMonth(readings, last.month));
        expect((await repository.listMeters(id)).map(({ meterId, lastReadingMs }) => ({ meterId, lastReadingMs }))).toEqual([
          { meterId: 1, lastReadingMs: newest(1) },
          { meterId: 2, lastReadingMs: newest(2) },
        ]);
      };
      await check();
      await repository.consolidate(id, { timeZone: TIME_ZONE, nowMs: realNow - 6 * DAY });
      await check();
      await repository.consolidate(id, { timeZone: TIME_ZONE, nowMs: realNow });
      await check();
    });

    it('late readings (more than 24 h before nowMs) are stored exactly once but do not move lastReadingMs; a non-late reading moves it forward only', async () => {
      const { id } = await customerWith(3);
      const createdAt = new Date(NOW).toISOString();
      const late = reading(id, 2, NOW - 3 * DAY, 0.4);
      expect(NOW - late.timestampMs).toBeGreaterThan(LATE_AFTER_MS);
      // Meter 1: on time, then an older non-late one, then a late one.
      expect(await store([reading(id, 1, NOW - HOUR, 0.1)])).toEqual([STORED]);
      expect(await store([reading(id, 1, NOW - 2 * HOUR, 0.2)])).toEqual([STORED]);
      expect(await store([reading(id, 1, NOW - 2 * DAY, 0.3)])).toEqual([STORED]);
      // Meter 2: only a late reading. Meter 3: an old reading stored on time, then a newer but late one.
      expect(await store([late])).toEqual([STORED]);
      const onTimeThen = reading(id, 3, NOW - 10 * DAY, 0.5);
      expect(await store([onTimeThen], onTimeThen.timestampMs + MINUTE)).toEqual([STORED]);
      expect(await store([reading(id, 3, NOW - 5 * DAY, 0.6)])).toEqual([STORED]);
      expect(await repository.listMeters(id)).toEqual([
        { meterId: 1, createdAt, lastReadingMs: NOW - HOUR },
        { meterId: 2, createdAt },
        { meterId: 3, createdAt, lastReadingMs: NOW - 10 * DAY },
      ]);

      // Late readings settle like any other: a resend is a duplicate, another value a conflict.
      expect(await store([late, { ...late, valor: 0.9 }, reading(id, 3, NOW - 5 * DAY, 0.6)])).toEqual([DUPLICATE, conflict(0.4, 0.9), DUPLICATE]);
      expect(await repository.findReading(id, 2, late.timestampMs)).toEqual(late);
      const month = bucketsOf(late.timestampMs, TIME_ZONE).month;
      expect(perMeter(await repository.meterMonthKwh(id, month))).toEqual(
        expectedMeterMonth(
          [reading(id, 1, NOW - HOUR, 0.1), reading(id, 1, NOW - 2 * HOUR, 0.2), reading(id, 1, NOW - 2 * DAY, 0.3), late, onTimeThen, reading(id, 3, NOW - 5 * DAY, 0.6)],
          month,
        ),
      );
      expect(decimals(await repository.sumBuckets(id, 'day', bucketsOf(late.timestampMs, TIME_ZONE).day, bucketsOf(late.timestampMs, TIME_ZONE).day))).toEqual({
        [bucketsOf(late.timestampMs, TIME_ZONE).day]: '0.4',
      });

      // Non-late readings move it forward, never back; a meter whose only reading was late starts from its first on-time one.
      expect(await store([reading(id, 1, NOW - 30 * MINUTE, 0.1), reading(id, 2, NOW - 23 * HOUR, 0.1), reading(id, 1, NOW - 3 * HOUR, 0.1)])).toEqual(Array(3).fill(STORED));
      expect(await repository.listMeters(id)).toEqual([
        { meterId: 1, createdAt, lastReadingMs: NOW - 30 * MINUTE },
        { meterId: 2, createdAt, lastReadingMs: NOW - 23 * HOUR },
        { meterId: 3, createdAt, lastReadingMs: NOW - 10 * DAY },
      ]);
    });

    it('meterCredentials.highestSeq is a lower bound of the highest stored seq (within 64 once credentials were read first); unsigned readings never set it; replaceMeterSecret clears it', async () => {
      const { id, secrets } = await customerWith(2);
      expect(await repository.meterCredentials(id, 1)).toEqual({ secret: secrets[0] });
      const base = t('2025-08-01T00:00:00Z');
      let highest = 0;
      for (let batch = 0; batch < 10; batch++) {
        // As the gateway does: read the credentials, then store.
        const before = await repository.meterCredentials(id, 1);
        if (batch > 0) expectSeqBound(before, highest);
        const readings = Array.from({ length: 10 }, (_, k) => {
          const seq = batch * 10 + k + 1;
          return reading(id, 1, base + seq * 15 * MINUTE, 0.1, seq);
        });
        const nowMs = readings[readings.length - 1].timestampMs + MINUTE;
        expect(await store(readings, nowMs)).toEqual(Array(10).fill(STORED));
        highest = (batch + 1) * 10;
        expectSeqBound(await repository.meterCredentials(id, 1), highest);
      }
      // A new reading with a lower seq, and resends or conflicts carrying higher seqs, raise nothing.
      await repository.meterCredentials(id, 1);
      expect(
        await store([
          reading(id, 1, base + 101 * 15 * MINUTE, 0.1, 50),
          reading(id, 1, base + 15 * MINUTE, 0.1, 500),
          reading(id, 1, base + 30 * MINUTE, 0.7, 600),
        ], base + 102 * 15 * MINUTE),
      ).toEqual([STORED, DUPLICATE, conflict(0.1, 0.7)]);
      expectSeqBound(await repository.meterCredentials(id, 1), 100);
      // A jump, after the credentials were read.
      await repository.meterCredentials(id, 1);
      expect(await store([reading(id, 1, base + 103 * 15 * MINUTE, 0.1, 300)], base + 104 * 15 * MINUTE)).toEqual([STORED]);
      highest = 300;
      expectSeqBound(await repository.meterCredentials(id, 1), highest);
      expect((await repository.meterCredentials(id, 1))!.secret).toBe(secrets[0]);

      // Unsigned readings never set it.
      await repository.meterCredentials(id, 2);
      expect(await store(Array.from({ length: 70 }, (_, k) => reading(id, 2, base + k * 15 * MINUTE, 0.1)), base + 71 * 15 * MINUTE)).toEqual(Array(70).fill(STORED));
      const unsigned = await repository.meterCredentials(id, 2);
      expect(unsigned).toEqual({ secret: secrets[1] });
      expect(unsigned!.highestSeq).toBeUndefined();

      // A new secret starts a new sequence: the old seqs are forgotten.
      const replaced = newSecret();
      await repository.replaceMeterSecret(id, 1, replaced, new Date(NOW).toISOString());
      const rotated = await repository.meterCredentials(id, 1);
      expect(rotated).toEqual({ secret: replaced });
      expect(rotated!.highestSeq).toBeUndefined();
      expect(rotated!.secret).not.toBe(secrets[0]);
      expect(await store([1, 2, 3].map((seq) => reading(id, 1, NOW - seq * MINUTE, 0.1, seq)))).toEqual(Array(3).fill(STORED));
      expectSeqBound(await repository.meterCredentials(id, 1), 3);
    });
  });
}
