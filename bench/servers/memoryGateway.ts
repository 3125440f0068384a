// The UDP gateway in its own process over the in-memory repository: the parse + validate + MAC + ack
// path with no database behind it. Registers its own fleet and writes it (with the meters' secrets)
// to a file the load generator or the simulator reads. Arguments: <meters> <fleet file> [memory|nothing]
// [<recent readings remembered>]; `nothing` answers readings as stored without keeping them, and a
// remembered count of 0 turns off the gateway's memory of recent readings (bench --profile uses both
// to split the path's cost between the gateway, that memory and the repository).
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../core/config';
import type { Context } from '../../core/context';
import type { Reading, StoreOutcome } from '../../core/model';
import { MemoryRepository } from '../../core/store/memoryRepository';
import { settingsFrom } from '../../core/wiring';
import { gatewayOptionsFrom, startGatewayServer } from '../../udp-gateway/server';
import { registerMemoryFleet } from '../fleet';

const [metersText, fleetFile, store, recentText] = process.argv.slice(2);

/** Keeps meters and secrets like the memory repository, but no reading: what the gateway costs alone. */
class StoresNothing extends MemoryRepository {
  override async storeReadings(readings: Reading[]): Promise<StoreOutcome[]> {
    return readings.map(() => ({ status: 'stored' }));
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const config = loadConfig();
const repository = store === 'nothing' ? new StoresNothing() : new MemoryRepository();
const context: Context = { repository, settings: settingsFrom(config), now: () => Date.now() };
const fleet = await registerMemoryFleet(context, Number(metersText));
writeFileSync(fleetFile, JSON.stringify({ meters: fleet }));
const server = await startGatewayServer(context, {
  ...gatewayOptionsFrom(config),
  host: '127.0.0.1',
  port: 0,
  statsIntervalMs: 0,
  ...(recentText === undefined ? {} : { recentReadings: Number(recentText) }),
});
process.stdout.write(`${JSON.stringify({ ready: true, port: server.address.port, meters: fleet.length })}\n`);
const stop = () =>
  void server.stop().then(() => {
    process.stdout.write(`${JSON.stringify({ final: server.stats() })}\n`);
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
