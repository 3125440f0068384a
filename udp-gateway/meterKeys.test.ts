// The gateway's cache of meter secrets: how often it reads storage, and when a rotation takes effect.
import type { Context } from '../core/context';
import { registerCustomer, registerMeter, rotateMeterSecret } from '../core/customers';
import { withCheckDigits } from '../core/cpf';
import { loadTariff } from '../core/tariff';
import { MemoryRepository } from '../core/store/memoryRepository';
import { MeterKeys } from './meterKeys';

const CPF = withCheckDigits('529982247');

/** A memory repository that counts credential reads. */
class CountingRepository extends MemoryRepository {
  reads = 0;
  override async meterCredentials(customerId: string, meterId: number) {
    this.reads += 1;
    return super.meterCredentials(customerId, meterId);
  }
}

async function setUp() {
  const repository = new CountingRepository();
  const context: Context = {
    repository,
    settings: { timeZone: 'America/Bahia', alarmLimitKwh: 1000, maxReadingKwh: 100_000, tariff: loadTariff('tariffs/flat-1.07.json') },
    now: () => Date.parse('2025-07-20T12:00:00Z'),
  };
  await registerCustomer(context, { id: CPF, name: 'Ana' });
  const { segredo } = await registerMeter(context, { id: CPF });
  let clock = 0;
  const keys = new MeterKeys(context, { ttlMs: 60_000, recheckMs: 1000, maxEntries: 2, now: () => clock });
  return { repository, context, keys, segredo, advance: (ms: number) => (clock += ms) };
}

describe('MeterKeys', () => {
  it('reads a meter once while fresh, shares a read among concurrent lookups, and reads again after the TTL', async () => {
    const { repository, keys, segredo, advance } = await setUp();
    const [first, second] = await Promise.all([keys.get(CPF, 1), keys.get(CPF, 1)]);
    expect([first, second]).toEqual([{ secret: segredo }, { secret: segredo }]);
    expect(repository.reads).toBe(1);
    advance(59_999);
    await keys.get(CPF, 1);
    expect(repository.reads).toBe(1);
    advance(1);
    await keys.get(CPF, 1);
    expect(repository.reads).toBe(2);
  });

  it('remembers unknown meters too, and after a MAC mismatch rereads at most once per recheck interval', async () => {
    const { repository, keys, advance } = await setUp();
    expect(await keys.get(CPF, 9)).toEqual({});
    expect(await keys.get(CPF, 9)).toEqual({});
    expect(await keys.recheck(CPF, 9)).toBeUndefined();
    expect(repository.reads).toBe(1);
    advance(1000);
    expect(await keys.recheck(CPF, 9)).toEqual({});
    expect(repository.reads).toBe(2);
  });

  it('raises the highest seq as readings are stored; a rotated secret, once read, starts a new sequence', async () => {
    const { context, keys, segredo, advance } = await setUp();
    await keys.get(CPF, 1);
    keys.stored(CPF, 1, 40);
    keys.stored(CPF, 1, 12);
    expect(await keys.get(CPF, 1)).toEqual({ secret: segredo, highestSeq: 40 });
    // Storage has not seen seq 40 (memory repository, nothing stored): memory keeps the higher one.
    advance(1000);
    expect(await keys.recheck(CPF, 1)).toEqual({ secret: segredo, highestSeq: 40 });
    const rotated = await rotateMeterSecret(context, { id: CPF, id_medidor: 1 });
    advance(1000);
    expect(await keys.recheck(CPF, 1)).toEqual({ secret: rotated.segredo });
  });

  it('keeps at most maxEntries meters, the oldest read leaving first', async () => {
    const { repository, keys } = await setUp();
    await keys.get(CPF, 1);
    await keys.get(CPF, 2);
    await keys.get(CPF, 3);
    expect(keys.size).toBe(2);
    await keys.get(CPF, 3);
    await keys.get(CPF, 1);
    expect(repository.reads).toBe(4);
  });
});
