// One TransactWriteItems, all or nothing, its outcome read the way every store reads it.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Writes the items together. Undefined: committed. Otherwise the cancellation, after which nothing
 * was written: a failed condition (`conditionFailed`) or contention with another writer. Any other
 * error is thrown.
 */
export async function transact(db: DynamoDBDocumentClient, items: TransactItem[]): Promise<TransactionCanceledException | undefined> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    return undefined;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return error;
    throw error;
  }
}

/** Whether the cancellation came from the condition of the item at `index` (its CancellationReasons entry). */
export const conditionFailed = (cancelled: TransactionCanceledException, index: number): boolean =>
  cancelled.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
