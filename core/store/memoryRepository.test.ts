// The in-memory repository gives the domain the same outcomes as DynamoDB would.
import { getInvoice } from '../billing';
import type { Context } from '../context';
import { registerCustomer, registerMeter, rotateMeterSecret } from '../customers';
import { withCheckDigits } from '../cpf';
import { recordReadings } from '../readings';
import { getHistory } from '../history';
import { loadTariff } from '../tariff';
import { repositoryContract } from '../../test/repositoryContract';
import { MemoryRepository } from './memoryRepository';

const NOW = Date.parse('2025-07-20T12:00:00Z');
const CPF = withCheckDigits('529982247');
const t = (iso: string) => Date.parse(iso);

function memoryContext(): Context {
  return {
    repository: new MemoryRepository(),
    settings: {
      timeZone: 'America/Bahia',
      alarmLimitKwh: 1000,
      maxReadingKwh: 100_000,
      tariff: loadTariff('tariffs/flat-1.07.json'),
      tokenTtlMs: 86_400_000,
    },
    now: () => NOW,
  };
}

describe('MemoryRepository', () => {
  it('settles a batch like DynamoDB: stored, duplicate, conflict, unknown meter, unknown customer, repeat in batch', async () => {
    const context = memoryContext();
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    await registerMeter(context, { id: CPF });
    await registerMeter(context, { id: CPF });
    const when = t('2025-07-01T12:00:00Z');
    await recordReadings(context, [{ customerId: CPF, meterId: 1, valor: 5, timestampMs: when }]);
    const outcomes = await recordReadings(context, [
      { customerId: CPF, meterId: 1, valor: 5, timestampMs: when },
      { customerId: CPF, meterId: 1, valor: 6, timestampMs: when },
      { customerId: CPF, meterId: 2, valor: 1.5, timestampMs: when },
      { customerId: CPF, meterId: 3, valor: 1, timestampMs: when },
      { customerId: withCheckDigits('111444777'), meterId: 1, valor: 1, timestampMs: when },
      { customerId: CPF, meterId: 2, valor: 1.5, timestampMs: when },
    ]);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.error.code : outcome.status))).toEqual([
      'duplicate',
      'reading_conflict',
      'stored',
      'meter_not_found',
      'customer_not_found',
      'duplicate',
    ]);
    expect(await getInvoice(context, CPF, '2025-07')).toMatchObject({ kwh: 6.5, valor: 6.96 });
  });

  it('lists readings oldest first, a page at a time, through history', async () => {
    const context = memoryContext();
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    await registerMeter(context, { id: CPF });
    const readings = [3, 1, 2].map((day) => ({
      customerId: CPF,
      meterId: 1,
      valor: day,
      timestampMs: t(`2025-07-0${day}T12:00:00Z`),
    }));
    await recordReadings(context, readings);
    const first = await getHistory(context, { id: CPF, kind: 'M', periodo: 0, limit: 2 });
    expect(first.consumo.map((reading) => reading.valor)).toEqual([1, 2]);
    expect(first.soma).toBe(6);
    const second = await getHistory(context, { id: CPF, kind: 'M', periodo: 0, limit: 2, cursor: first.cursor! });
    expect(second.consumo.map((reading) => reading.valor)).toEqual([3]);
    expect(second.cursor).toBeNull();
  });

  it('keeps each meter secret and its highest signed seq, which only grows and restarts with a new secret', async () => {
    const context = memoryContext();
    const { repository } = context;
    await registerCustomer(context, { id: CPF, name: 'Ana' });
    const first = await registerMeter(context, { id: CPF });
    const second = await registerMeter(context, { id: CPF });
    expect(first.segredo).not.toBe(second.segredo);
    expect(await repository.meterCredentials(CPF, 1)).toEqual({ secret: first.segredo });
    const reading = (seq: number | undefined, day: number) => ({
      customerId: CPF,
      meterId: 1,
      valor: 1,
      timestampMs: t(`2025-07-0${day}T12:00:00Z`),
      ...(seq === undefined ? {} : { seq }),
    });
    await recordReadings(context, [reading(9, 1), reading(4, 2), reading(undefined, 3)]);
    await recordReadings(context, [reading(7, 4)]);
    expect(await repository.meterCredentials(CPF, 1)).toEqual({ secret: first.segredo, highestSeq: 9 });
    expect(await repository.meterCredentials(CPF, 2)).toEqual({ secret: second.segredo });
    expect(await repository.findReading(CPF, 1, t('2025-07-02T12:00:00Z'))).toEqual({
      customerId: CPF,
      meterId: 1,
      valor: 1,
      timestampMs: t('2025-07-02T12:00:00Z'),
    });
    expect(await repository.findReading(CPF, 2, t('2025-07-02T12:00:00Z'))).toBeUndefined();

    const rotated = await rotateMeterSecret(context, { id: CPF, id_medidor: 1 });
    expect(rotated).toEqual({ id: CPF, id_medidor: 1, segredo: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(rotated.segredo).not.toBe(first.segredo);
    expect(await repository.meterCredentials(CPF, 1)).toEqual({ secret: rotated.segredo });
    expect(await repository.meterCredentials(CPF, 3)).toBeUndefined();
    await expect(rotateMeterSecret(context, { id: CPF, id_medidor: 3 })).rejects.toMatchObject({ code: 'meter_not_found' });
    await expect(rotateMeterSecret(context, { id: withCheckDigits('111444777'), id_medidor: 1 })).rejects.toMatchObject({
      code: 'customer_not_found',
    });
  });
});

repositoryContract('MemoryRepository', () => new MemoryRepository());
