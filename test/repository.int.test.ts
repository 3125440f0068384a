// The repository against DynamoDB Local: the shared contract (test/repositoryContract.ts), plus the batch path's meter marks.
import { loadConfig } from '../core/config';
import { registerCustomer, registerMeter, rotateMeterSecret } from '../core/customers';
import type { Reading } from '../core/model';
import { recordReadings } from '../core/readings';
import { createContext } from '../core/wiring';
import { at, newCpf } from './fixtures';
import { repositoryContract } from './repositoryContract';

const context = createContext(
  loadConfig({ DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB, LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX }),
);

describe('storeReadings (batches)', () => {
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

repositoryContract('DynamoRepository', () => context.repository);
