import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { ConflictError, DuplicateAccessCodeError } from '../errors';
import { TransactionContentionError, retry, retryPolicies } from '../retry';
import { type Item, toItem } from './dynamodb-doc';
import type { TableKey } from './dynamodb-keys';

/*
 * What every repository on the single table shares: item (un)marshalling, schema-checked
 * documents, paged queries that honour filters, and transactions whose cancellations become
 * domain errors.
 */

/** What a transaction's write is, so that a cancellation reason maps to the right domain error. */
export type WriteRole = 'code' | 'pin' | 'commonCodeKey' | 'extra';

export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

export interface TableWrite {
  role: WriteRole;
  write: TransactWriteItem;
}

const FILTERED_PAGE_SIZE = 100;
export const versionIs = (version: number): Condition => ({
  ConditionExpression: '#doc.#version = :expected',
  ExpressionAttributeNames: { '#doc': 'doc', '#version': 'version' },
  ExpressionAttributeValues: { ':expected': { N: String(version) } },
});

/** The operations of one table that the repositories build on. */
export function tableOperations(client: DynamoDBClient, tableName: string) {
  const getItem = async (key: TableKey): Promise<Item | undefined> => (await client.send(new GetItemCommand({ TableName: tableName, Key: toItem(key), ConsistentRead: true }))).Item;

  const putItem = async (item: Item): Promise<void> => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  };

  /**
   * Reads Query pages until `wanted` items pass `pick` (which parses an item, or returns
   * undefined to skip it) or the results end. DynamoDB applies `Limit` before any filter, so
   * filtered reads loop here instead of trusting one page.
   */
  async function collect<T>(input: Omit<QueryCommandInput, 'TableName' | 'Limit'>, wanted: number, pick: (item: Item) => T | undefined, filtered = false): Promise<{ item: Item; value: T }[]> {
    const found: { item: Item; value: T }[] = [];
    let startKey = input.ExclusiveStartKey;
    do {
      const remaining = wanted - found.length;
      const limit = Number.isFinite(remaining) ? (filtered ? Math.max(remaining, FILTERED_PAGE_SIZE) : remaining) : undefined;
      const page = await client.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey, Limit: limit }));
      for (const item of page.Items ?? []) {
        const value = pick(item);
        if (value === undefined) continue;
        found.push({ item, value });
        if (found.length >= wanted) return found;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return found;
  }

  /** Every item a Query matches, page after page. */
  const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'Limit'>): Promise<Item[]> => (await collect(input, Number.POSITIVE_INFINITY, (item) => item)).map((found) => found.value);

  /** Commits `writes` atomically, turning failed conditions into domain errors. */
  async function transact(writes: readonly TableWrite[]): Promise<void> {
    try {
      await retry(retryPolicies.transactionConflict, () => transactOnce(writes));
    } catch (error) {
      // Contention that outlasted the policy: the caller's own conflict handling takes over.
      if (error instanceof TransactionContentionError) throw new ConflictError();
      throw error;
    }
  }

  async function transactOnce(writes: readonly TableWrite[]): Promise<void> {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: writes.map((w) => w.write) }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = (role: WriteRole) => writes.some((w, i) => w.role === role && reasons[i]?.Code === 'ConditionalCheckFailed');
      if (failed('code')) throw new ConflictError();
      if (failed('pin')) throw new DuplicateAccessCodeError();
      if (failed('commonCodeKey')) throw new ConflictError('common_code_key is bound to another code');
      // A concurrent transaction on the same items: nothing was written, so running it again
      // either succeeds or reports which condition now fails.
      if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new TransactionContentionError();
      throw error;
    }
  }

  const put = (item: Item, condition?: Condition): TransactWriteItem => ({ Put: { TableName: tableName, Item: item, ...condition } });
  const del = (key: TableKey, condition?: Condition): TransactWriteItem => ({ Delete: { TableName: tableName, Key: toItem(key), ...condition } });

  return { client, tableName, getItem, putItem, collect, queryAll, transact, put, del };
}
export type TableOperations = ReturnType<typeof tableOperations>;
