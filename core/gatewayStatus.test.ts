// GET /gatewayStatus's sum: live instances only (expiry still ahead), counters added, the worst p99 (in memory, clock frozen).
import type { Context } from './context';
import { gatewayStatus } from './gatewayStatus';
import type { GatewayFigures } from './model';
import { MemoryRepository } from './store/memoryRepository';
import { loadTariff } from './tariff';

const NOW = Date.parse('2026-11-25T13:34:40Z');

function contextAt(nowMs: number, repository = new MemoryRepository()): Context {
  return {
    repository,
    settings: { timeZone: 'America/Bahia', alarmLimitKwh: 1000, maxReadingKwh: 100_000, tariff: loadTariff('tariffs/flat-1.07.json') },
    now: () => nowMs,
  };
}

const figures = (instanceId: string, change: Partial<GatewayFigures> = {}): GatewayFigures => ({
  instanceId,
  startedMs: NOW - 60_000,
  publishedMs: NOW - 2000,
  expiresMs: NOW + 13_000,
  received: 10,
  stored: 7,
  duplicates: 1,
  rejected: { invalid_input: 2 },
  inFlight: 0,
  perSecond: 3,
  p50Ms: 4,
  p99Ms: 12.5,
  ...change,
});

describe('gatewayStatus', () => {
  it('no gateway has published: zero instances, zeros, p99 null', async () => {
    expect(await gatewayStatus(contextAt(NOW))).toEqual({
      total: { instancias: 0, recebidas: 0, gravadas: 0, duplicadas: 0, rejeitadas: {}, emAndamento: 0, leiturasPorSegundo: 0, latenciaP99Ms: null },
      gateways: [],
    });
  });

  it('sums the live instances, merges rejections by code, takes the worst p99, lists each by name', async () => {
    const repository = new MemoryRepository();
    await repository.publishGatewayFigures(figures('b', { rejected: { invalid_input: 1, bad_mac: 4 }, inFlight: 2, p99Ms: 30, p50Ms: 8 }));
    await repository.publishGatewayFigures(figures('a'));
    const status = await gatewayStatus(contextAt(NOW, repository));
    expect(status.total).toEqual({
      instancias: 2,
      recebidas: 20,
      gravadas: 14,
      duplicadas: 2,
      rejeitadas: { bad_mac: 4, invalid_input: 3 },
      emAndamento: 2,
      leiturasPorSegundo: 6,
      latenciaP99Ms: 30,
    });
    expect(status.gateways.map((gateway) => gateway.instancia)).toEqual(['a', 'b']);
    expect(status.gateways[0]).toEqual({
      instancia: 'a',
      iniciadoEm: '2026-11-25T13:33:40.000Z',
      publicadoEm: '2026-11-25T13:34:38.000Z',
      recebidas: 10,
      gravadas: 7,
      duplicadas: 1,
      rejeitadas: { invalid_input: 2 },
      emAndamento: 0,
      leiturasPorSegundo: 3,
      latenciaP50Ms: 4,
      latenciaP99Ms: 12.5,
    });
  });

  it('an instance whose expiry has come (stopped, or dead and not yet deleted by TTL) is left out; one second before, it counts', async () => {
    const repository = new MemoryRepository();
    await repository.publishGatewayFigures(figures('gone', { expiresMs: NOW }));
    await repository.publishGatewayFigures(figures('alive', { expiresMs: NOW + 1000, p99Ms: null }));
    const status = await gatewayStatus(contextAt(NOW, repository));
    expect(status.gateways.map((gateway) => gateway.instancia)).toEqual(['alive']);
    expect(status.total).toMatchObject({ instancias: 1, gravadas: 7, latenciaP99Ms: null });
    expect((await gatewayStatus(contextAt(NOW + 1000, repository))).gateways).toEqual([]);
  });
});
