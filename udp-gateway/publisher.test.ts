// The publisher: figures under the instance's name every interval, expiring after three; gone at stop; one Put at a time; the stats windows apart.
import type { GatewayFigures } from '../core/model';
import type { Context } from '../core/context';
import { MemoryRepository } from '../core/store/memoryRepository';
import { silentLogger } from './log';
import { FiguresPublisher } from './publisher';
import { GatewayStats } from './stats';

describe('FiguresPublisher', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-11-25T13:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('publishes at once and every interval, expiring three intervals after; at stop its figures expire now', async () => {
    const repository = new MemoryRepository();
    const stats = new GatewayStats();
    const publisher = new FiguresPublisher({ repository } as unknown as Context, { instanceId: 'gw-1', intervalMs: 5000, snapshot: () => stats.snapshot(0, true, 'publish') }, silentLogger);
    await jest.advanceTimersByTimeAsync(0);
    const [first] = await repository.listGatewayFigures();
    expect(first).toMatchObject({ instanceId: 'gw-1', stored: 0, expiresMs: Date.parse('2026-11-25T13:00:15Z'), p99Ms: null });
    stats.stored = 4;
    stats.received = 5;
    stats.reject('invalid_input');
    stats.latency(12);
    await jest.advanceTimersByTimeAsync(5000);
    const [second] = await repository.listGatewayFigures();
    expect(second).toMatchObject({ received: 5, stored: 4, rejected: { invalid_input: 1 }, p50Ms: 12, p99Ms: 12, perSecond: 1, expiresMs: Date.parse('2026-11-25T13:00:20Z') });
    await publisher.stop(1000);
    const [last] = await repository.listGatewayFigures();
    expect(last.expiresMs).toBe(Date.parse('2026-11-25T13:00:05Z'));
    await jest.advanceTimersByTimeAsync(20_000);
    expect((await repository.listGatewayFigures())[0].publishedMs).toBe(last.publishedMs);
  });

  it('a Put slower than the interval is not stacked: one at a time; a failure does not stop the next one', async () => {
    const puts: GatewayFigures[] = [];
    let pending: (() => void) | undefined;
    let fail = true;
    const repository = {
      publishGatewayFigures: (figures: GatewayFigures) => {
        puts.push(figures);
        if (fail) return Promise.reject(new Error('storage down'));
        return new Promise<void>((resolve) => (pending = resolve));
      },
    };
    const publisher = new FiguresPublisher({ repository } as unknown as Context, { instanceId: 'gw-2', intervalMs: 1000, snapshot: () => new GatewayStats().snapshot(0) }, silentLogger);
    await jest.advanceTimersByTimeAsync(0);
    expect(puts).toHaveLength(1);
    fail = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(puts).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(3000); // the second Put still hangs: nothing more is sent
    expect(puts).toHaveLength(2);
    pending!();
    await jest.advanceTimersByTimeAsync(1000);
    expect(puts).toHaveLength(3);
    // Stopping while a Put hangs: the final Put waits behind it, and stop gives up after its timeout.
    const stopped = publisher.stop(100);
    await jest.advanceTimersByTimeAsync(100);
    await stopped;
    expect(puts).toHaveLength(3);
  });
});

describe('GatewayStats windows', () => {
  it('the log line and the publisher each close their own window: one reading the stats never empties the other', () => {
    const stats = new GatewayStats();
    stats.latency(10);
    stats.latency(30);
    expect(stats.snapshot(0, true, 'log')).toMatchObject({ p50Ms: 30, p99Ms: 30 });
    expect(stats.snapshot(0, false, 'log')).toMatchObject({ p50Ms: null, p99Ms: null });
    expect(stats.snapshot(0, true, 'publish')).toMatchObject({ p50Ms: 30, p99Ms: 30 });
    expect(stats.snapshot(0, true, 'publish')).toMatchObject({ p99Ms: null });
  });
});
