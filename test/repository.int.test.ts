// The repository against DynamoDB Local: the shared contract (test/repositoryContract.ts), once for
// each way of grouping writes (one UpdateItem per block, or up to 100 per transaction).
import { loadConfig } from '../core/config';
import { createContext } from '../core/wiring';
import { repositoryContract } from './repositoryContract';

for (const grouping of ['item', 'transaction'] as const) {
  const context = createContext(
    loadConfig({
      DYNAMODB_ENDPOINT: process.env.LUZ_TEST_DYNAMODB,
      LUZ_TABLE_PREFIX: process.env.LUZ_TEST_TABLE_PREFIX,
      LUZ_WRITE_GROUPING: grouping,
    }),
  );
  repositoryContract(`DynamoRepository (${grouping} grouping)`, () => context.repository);
}
