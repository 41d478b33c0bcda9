import { type AttributeValue, type DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../lib/adapters/dynamodb-table';

type Item = Record<string, AttributeValue>;

/** A number's size: one byte per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((sum, s) => sum + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((sum, b) => sum + b.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((sum, e) => sum + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((sum, [k, e]) => sum + Buffer.byteLength(k) + 1 + valueSize(e), 0);
  return 0;
}

/** An item's size as DynamoDB counts it for capacity: each attribute's name in UTF-8 plus its value. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

const kilobytes = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export interface TransactionUnits {
  table: number;
  /** Write units by index name. */
  indexes: Map<string, number>;
}

/**
 * What a TransactWriteItems costs in DynamoDB, priced from the items themselves, because
 * DynamoDB Local's own figure sums each distinct item size once (three 300-byte puts report 2
 * units where DynamoDB charges 6). Each action is two writes of its item's size in KB, rounded
 * up per item: the larger of the item before and after. An index is written where the item is
 * in it before or after (twice where its index key changes). A condition check is priced as a
 * write, the upper bound. `look` reads the items before and after the transaction through a
 * client whose requests are not counted.
 */
export async function pricedTransaction<T>(look: DynamoDBClient, actions: readonly TransactWriteItem[], send: () => Promise<T>): Promise<{ result: T; units: TransactionUnits }> {
  const { partitionKey, sortKey } = tableDefinition;
  const targets = actions.map((a) => {
    const put = a.Put;
    const key: Item | undefined = put
      ? { [partitionKey.name]: put.Item?.[partitionKey.name] as AttributeValue, [sortKey.name]: put.Item?.[sortKey.name] as AttributeValue }
      : (a.Update?.Key ?? a.Delete?.Key ?? a.ConditionCheck?.Key);
    const tableName = put?.TableName ?? a.Update?.TableName ?? a.Delete?.TableName ?? a.ConditionCheck?.TableName;
    return { action: a, key, tableName };
  });
  const read = (tableName: string | undefined, key: Item | undefined) =>
    tableName === undefined || key === undefined ? Promise.resolve(undefined) : look.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true })).then((r) => r.Item);
  const before = await Promise.all(targets.map((t) => read(t.tableName, t.key)));
  const result = await send();
  const after = await Promise.all(targets.map((t, i) => (t.action.Put ? t.action.Put.Item : t.action.Update ? read(t.tableName, t.key) : t.action.Delete ? undefined : before[i])));
  const units: TransactionUnits = { table: 0, indexes: new Map() };
  targets.forEach((_, i) => {
    const old = before[i];
    const now = after[i];
    units.table += 2 * kilobytes(Math.max(old ? itemSize(old) : 0, now ? itemSize(now) : 0));
    for (const index of tableDefinition.globalSecondaryIndexes) {
      const inIndex = (item: Item | undefined) => item !== undefined && item[index.partitionKey.name] !== undefined && item[index.sortKey.name] !== undefined;
      const indexKey = (item: Item) => `${item[index.partitionKey.name]?.S}|${item[index.sortKey.name]?.S}`;
      const writes = [inIndex(old) && old, inIndex(now) && now].filter((x): x is Item => x !== false && x !== undefined);
      if (writes.length === 0) continue;
      const moved = writes.length === 2 && indexKey(writes[0] as Item) !== indexKey(writes[1] as Item);
      const cost = moved ? writes.reduce((sum, item) => sum + 2 * kilobytes(itemSize(item)), 0) : 2 * kilobytes(Math.max(...writes.map(itemSize)));
      units.indexes.set(index.indexName, (units.indexes.get(index.indexName) ?? 0) + cost);
    }
  });
  return { result, units };
}
