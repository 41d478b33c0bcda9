import { type AttributeValue, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import { countRequests } from '../bench/dynamodb-cost';
import { itemSize } from '../bench/transaction-units';
import { type TestTable, startTestTable } from '../support/dynamodb-local';

// The bench prices a code's life in dollars from these units: they must be DynamoDB's, not DynamoDB Local's.
let t: TestTable;
beforeAll(async () => {
  t = await startTestTable();
});
afterAll(async () => t.stop());

const item = (sk: string, doc: string, inIndex = false): Record<string, AttributeValue> => ({
  pk: { S: 'P' },
  sk: { S: sk },
  ...(inIndex && { gsi1pk: { S: 'G' }, gsi1sk: { S: sk } }),
  n: { N: '12345.670' },
  m: { M: { a: { S: 'xy' }, l: { L: [{ N: '1' }, { BOOL: true }, { NULL: true }] } } },
  doc: { S: doc },
});

describe("the bench's item sizes and transaction prices", () => {
  it('sizes items as DynamoDB does: the same write units as a PutItem, across the 1 KB boundary', async () => {
    for (let pad = 440; pad < 540; pad += 3) {
      const it = item(`s${pad}`, 'é'.repeat(pad));
      const out = await t.client.send(new PutItemCommand({ TableName: t.tableName, Item: it, ReturnConsumedCapacity: 'TOTAL' }));
      expect(Math.max(1, Math.ceil(itemSize(it) / 1024))).toBe(out.ConsumedCapacity?.CapacityUnits);
    }
  });

  it('prices a transaction at two units per item and per index copy, where DynamoDB Local counts equal sizes once', async () => {
    const client = localDynamoDbClient(t.endpoint);
    const look = localDynamoDbClient(t.endpoint);
    const counter = countRequests(client, { priceTransactions: look, byIndex: true });
    const puts = ['a', 'b', 'c'].map((k) => ({ Put: { TableName: t.tableName, Item: item(`tx-${k}`, 'x'.repeat(300), k === 'a') } }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: puts }));
    // Three items of under 1 KB: 3 x 2 table units, and the one index copy 2.
    expect(counter.capacityUnits).toBe(8);
    expect(counter.capacityByIndex.get('gsi1 TransactWriteItemsCommand')).toBe(2);
    expect(counter.transactionUnitsReported).toBeLessThan(8);
    // An update that grows an item past 1 KB is priced at its larger size.
    counter.reset();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName: t.tableName, Key: { pk: { S: 'P' }, sk: { S: 'tx-b' } }, UpdateExpression: 'SET doc = :d', ExpressionAttributeValues: { ':d': { S: 'y'.repeat(1500) } } } },
        ],
      }),
    );
    expect(counter.capacityUnits).toBe(4);
    client.destroy();
    look.destroy();
  });
});
