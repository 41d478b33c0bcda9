import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import type { Stores } from '../../lib/ports';

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
  stop(): Promise<void>;
}

/** An in-memory DynamoDB Local on a free port with a fresh table: one per test file (beforeAll/afterAll). */
export async function startTestTable(): Promise<TestTable> {
  const local = await startDynamoDbLocal();
  const client = localDynamoDbClient(local.endpoint);
  const tableName = `latchkey-test-${randomUUID()}`;
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    client.destroy();
    await local.stop();
    throw error;
  }
  return {
    client,
    tableName,
    endpoint: local.endpoint,
    async stop() {
      client.destroy();
      await local.stop();
    },
  };
}

/**
 * Counts the HTTP requests a client sends, retries included: the middleware sits in the
 * deserialize step, inside the retry loop.
 */
export function countRequests(client: DynamoDBClient): { readonly count: number; reset(): void } {
  let count = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      count++;
      return next(args);
    },
    { step: 'deserialize', name: 'countRequests' },
  );
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/**
 * The usual setup of a store test file: one test table and the DynamoDB stores on it, started
 * before the file's tests and stopped after them. Read `table` and `stores` inside tests.
 */
export function storesOnTestTable(): { readonly table: TestTable; readonly stores: Stores } {
  let started: { table: TestTable; stores: Stores } | undefined;
  beforeAll(async () => {
    const table = await startTestTable();
    started = { table, stores: createDynamoDbStores({ client: table.client, tableName: table.tableName }) };
  });
  afterAll(async () => {
    await started?.table.stop();
  });
  const get = () => {
    if (!started) throw new Error('the test table is started in beforeAll: read it inside a test');
    return started;
  };
  return {
    get table() {
      return get().table;
    },
    get stores() {
      return get().stores;
    },
  };
}
