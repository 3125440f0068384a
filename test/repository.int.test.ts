// The repository's batch path (what the UDP gateway uses) against DynamoDB Local.
import { loadConfig } from '../core/config';
import { getInvoice } from '../core/billing';
import { registerCustomer, registerMeter } from '../core/customers';
import type { LuzError } from '../core/errors';
import type { Reading } from '../core/model';
import { recordReadings } from '../core/readings';
import { createContext } from '../core/wiring';
import { at, newCpf } from './fixtures';

const context = createContext(
  loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }),
);

async function customerWith(meters: number): Promise<string> {
  const id = newCpf();
  await registerCustomer(context, { id, name: 'Lote' });
  for (let i = 0; i < meters; i++) await registerMeter(context, { id });
  return id;
}

describe('storeReadings (batches)', () => {
  it('a batch larger than one transaction (60 customers × 2 readings) is stored whole and summed exactly', async () => {
    const customers = await Promise.all(Array.from({ length: 60 }, () => customerWith(1)));
    const readings: Reading[] = customers.flatMap((customerId, n) => [
      { customerId, meterId: 1, valor: 0.1, timestampMs: at('2025-06-01T12:00:00Z') * 1000 + n },
      { customerId, meterId: 1, valor: 0.2, timestampMs: at('2025-06-20T12:00:00Z') * 1000 + n },
    ]);
    const outcomes = await recordReadings(context, readings);
    expect(outcomes).toEqual(Array(120).fill({ status: 'stored' }));
    for (const customerId of customers.slice(0, 5)) {
      expect(await getInvoice(context, customerId, '2025-06')).toMatchObject({ kwh: 0.3, valor: 0.32 });
    }
  });

  it('duplicates, conflicts and unknown meters in one batch are settled and the rest is stored', async () => {
    const id = await customerWith(2);
    const t = at('2025-07-01T12:00:00Z') * 1000;
    await recordReadings(context, [{ customerId: id, meterId: 1, valor: 5, timestampMs: t }]);
    const unknown = newCpf();
    const outcomes = await recordReadings(context, [
      { customerId: id, meterId: 1, valor: 5, timestampMs: t }, // already stored
      { customerId: id, meterId: 1, valor: 6, timestampMs: t }, // same key, other value
      { customerId: id, meterId: 2, valor: 1.5, timestampMs: t }, // new
      { customerId: id, meterId: 3, valor: 1, timestampMs: t }, // no such meter
      { customerId: unknown, meterId: 1, valor: 1, timestampMs: t }, // no such customer
      { customerId: id, meterId: 2, valor: 1.5, timestampMs: t }, // repeat inside the batch
    ]);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.error.code : outcome.status))).toEqual([
      'duplicate',
      'reading_conflict',
      'stored',
      'meter_not_found',
      'customer_not_found',
      'duplicate',
    ]);
    expect((outcomes[1] as { error: LuzError }).error.message).toBe(
      'a reading with this meter and timestamp is already stored with valor 5',
    );
    expect(await getInvoice(context, id, '2025-07')).toMatchObject({ kwh: 6.5 });
  });
});
