// The repository's batch path (what the UDP gateway uses) against DynamoDB Local.
import { loadConfig } from '../core/config';
import { getInvoice } from '../core/billing';
import { registerCustomer, registerMeter, rotateMeterSecret } from '../core/customers';
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

  it('signed readings raise the meter seqMaximo in their transaction; it and ultimaLeitura only grow, each on its own', async () => {
    const id = newCpf();
    await registerCustomer(context, { id, name: 'Assinado' });
    const { segredo } = await registerMeter(context, { id });
    const t = (day: number) => at(`2025-08-0${day}T12:00:00Z`) * 1000;
    const signed = (seq: number | undefined, day: number): Reading => ({
      customerId: id,
      meterId: 1,
      valor: 1,
      timestampMs: t(day),
      ...(seq === undefined ? {} : { seq }),
    });
    expect(await context.repository.meterCredentials(id, 1)).toEqual({ secret: segredo });
    expect(await recordReadings(context, [signed(5, 9), signed(3, 8)])).toEqual(Array(2).fill({ status: 'stored' }));
    // Older reading, higher seq: seqMaximo moves, ultimaLeitura stays.
    expect(await recordReadings(context, [signed(8, 2)])).toEqual([{ status: 'stored' }]);
    // Newer reading, lower seq: ultimaLeitura moves, seqMaximo stays.
    expect(await recordReadings(context, [{ ...signed(7, 9), timestampMs: t(9) + 60_000 }])).toEqual([{ status: 'stored' }]);
    // An unsigned reading moves no seq; a resend is a duplicate.
    expect(await recordReadings(context, [signed(undefined, 1), signed(5, 9)])).toEqual([{ status: 'stored' }, { status: 'duplicate' }]);
    expect(await context.repository.meterCredentials(id, 1)).toEqual({ secret: segredo, highestSeq: 8 });
    expect((await context.repository.listMeters(id))[0].lastReadingMs).toBe(t(9) + 60_000);
    expect(await context.repository.findReading(id, 1, t(2))).toEqual({ customerId: id, meterId: 1, valor: 1, timestampMs: t(2) });
    expect(await context.repository.findReading(id, 1, t(3))).toBeUndefined();

    // A new secret starts a new sequence.
    const rotated = await rotateMeterSecret(context, { id, id_medidor: 1 });
    expect(rotated.segredo).not.toBe(segredo);
    expect(await context.repository.meterCredentials(id, 1)).toEqual({ secret: rotated.segredo });
    expect(await context.repository.meterCredentials(id, 2)).toBeUndefined();
    await expect(rotateMeterSecret(context, { id, id_medidor: 2 })).rejects.toMatchObject({ code: 'meter_not_found' });
    await expect(rotateMeterSecret(context, { id: newCpf(), id_medidor: 1 })).rejects.toMatchObject({ code: 'customer_not_found' });
  });
});
