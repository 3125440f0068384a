// Data survives a restart: a file-backed DynamoDB Local is stopped and started again on the same folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config';
import type { Context } from '../core/context';
import { registerCustomer, registerMeter } from '../core/customers';
import { getInvoice } from '../core/billing';
import { recordReading } from '../core/readings';
import { createContext } from '../core/wiring';
import { startDynamo } from '../dev/dynamo';
import { ensureTables } from '../dev/tables';
import { at, newCpf, openFlatInvoice } from './fixtures';
import { freePort } from '../dev/ports';

function contextFor(endpoint: string): Context {
  return createContext(loadConfig({ DYNAMODB_ENDPOINT: endpoint, LUZ_TABLE_PREFIX: 'persist-' }));
}

describe('persistence', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'luz-persist-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('customers, meters and readings are still there after DynamoDB Local restarts', async () => {
    const port = await freePort();
    const id = newCpf();
    const first = await startDynamo({ port, dataDir });
    try {
      await ensureTables(first.endpoint, 'persist-');
      const context = contextFor(first.endpoint);
      await registerCustomer(context, { id, name: 'Persistente' });
      await registerMeter(context, { id });
      await recordReading(context, { id, id_medidor: 1, valor: 12.5, timestamp: at('2025-05-05T12:00:00Z') * 1000 });
    } finally {
      await first.stop();
    }
    const second = await startDynamo({ port, dataDir });
    try {
      expect(await ensureTables(second.endpoint, 'persist-')).toEqual([]);
      const context = contextFor(second.endpoint);
      expect(await getInvoice(context, id, '2025-05')).toEqual(openFlatInvoice(id, '2025-05', [{ id_medidor: 1, kwh: 12.5 }], 13.38));
      expect(await registerMeter(context, { id })).toEqual({ id, id_medidor: 2, segredo: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    } finally {
      await second.stop();
    }
  });
});
