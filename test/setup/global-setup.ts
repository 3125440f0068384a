// Builds the gateway bundle; starts one DynamoDB Local (in memory) and one `serverless offline` for the whole run, on free ports.
// Suites isolate themselves by using their own random CPFs (every key starts with the CPF).
import { newSecret } from '../../core/access';
import { buildGateway } from '../../dev/build';
import { startDynamo } from '../../dev/dynamo';
import { startOffline } from '../../dev/offline';
import { ensureTables } from '../../dev/tables';
import { freePort } from '../../dev/ports';

export const TEST_TABLE_PREFIX = 'test-';
/** The authorizer's decision TTL of the test API: short, so revocation tests can wait it out. */
export const TEST_AUTH_CACHE_SECONDS = 2;

export default async function globalSetup(): Promise<void> {
  // Once per run, before any worker: the gateway suites start this very bundle (what ships).
  await buildGateway();
  const staffKey = `luz_staff_test_${newSecret()}`;
  const dynamo = await startDynamo({ port: await freePort(), dataDir: null });
  (globalThis as Record<string, unknown>).__luzServices = [dynamo];
  let offline;
  try {
    await ensureTables(dynamo.endpoint, TEST_TABLE_PREFIX);
    offline = await startOffline({
      httpPort: await freePort(),
      lambdaPort: await freePort(),
      env: { DYNAMODB_ENDPOINT: dynamo.endpoint, LUZ_TABLE_PREFIX: TEST_TABLE_PREFIX, STAFF_KEY: staffKey, LUZ_AUTH_CACHE_SECONDS: String(TEST_AUTH_CACHE_SECONDS) },
    });
  } catch (error) {
    await dynamo.stop(); // jest skips the teardown when the set-up fails
    throw error;
  }
  (globalThis as Record<string, unknown>).__luzServices = [offline, dynamo];
  // Workers start after this and inherit the environment.
  process.env.LUZ_TEST_API = offline.url;
  process.env.LUZ_TEST_DYNAMODB = dynamo.endpoint;
  process.env.LUZ_TEST_TABLE_PREFIX = TEST_TABLE_PREFIX;
  process.env.LUZ_TEST_STAFF_KEY = staffKey;
  process.env.LUZ_TEST_AUTH_CACHE_SECONDS = String(TEST_AUTH_CACHE_SECONDS);
}
