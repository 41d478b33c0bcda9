import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { batchedGets } from '../../lib/adapters/dynamodb-batched-gets';
import { toItem } from '../../lib/adapters/dynamodb-doc';
import { storesOnTestTable } from '../support/dynamodb-local';

const local = storesOnTestTable();

/** The table's client with every request's command name recorded. */
function counted() {
  const sent: string[] = [];
  const client = new Proxy(local.table.client, {
    get: (target, name, receiver) =>
      name === 'send'
        ? (command: { constructor: { name: string } }, ...rest: unknown[]) => {
            sent.push(command.constructor.name);
            return Reflect.apply(target.send, target, [command, ...rest]);
          }
        : Reflect.get(target, name, receiver),
  });
  return { get: batchedGets(client, local.table.tableName), sent };
}

const stored = async (count: number) => {
  const pk = `TEST#${randomUUID()}`;
  const keys = Array.from({ length: count }, (_, i) => ({ pk, sk: `ITEM#${String(i).padStart(4, '0')}` }));
  for (const key of keys) await local.table.client.send(new PutItemCommand({ TableName: local.table.tableName, Item: toItem({ ...key, n: Number(key.sk.slice(5)) }) }));
  return keys;
};

describe('reads asked for at once', () => {
  it('go out as one BatchGetItem per 100 keys, each answered with its own item or nothing', async () => {
    const keys = await stored(150);
    const missing = { pk: `TEST#${randomUUID()}`, sk: 'NONE' };
    const { get, sent } = counted();
    const items = await Promise.all([...keys, missing].map((key) => get(key)));
    expect(sent).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    expect(items.slice(0, 150).map((item) => item?.n?.N)).toEqual(keys.map((_, i) => String(i)));
    expect(items[150]).toBeUndefined();
  });

  it('ask for a key once however many readers want it, and a read asked alone stays a GetItem', async () => {
    const [key] = await stored(1);
    if (key === undefined) throw new Error('nothing stored');
    const { get, sent } = counted();
    const [a, b] = await Promise.all([get(key), get(key)]);
    expect(a?.n?.N).toBe('0');
    expect(b?.n?.N).toBe('0');
    expect(sent).toEqual(['GetItemCommand']);
    expect((await get(key))?.n?.N).toBe('0');
    expect(sent).toEqual(['GetItemCommand', 'GetItemCommand']);
  });

  it('read the table each time: a write between two reads is seen by the second', async () => {
    const [key] = await stored(1);
    if (key === undefined) throw new Error('nothing stored');
    const { get } = counted();
    expect((await get(key))?.n?.N).toBe('0');
    await local.table.client.send(new PutItemCommand({ TableName: local.table.tableName, Item: toItem({ ...key, n: 7 }) }));
    expect((await get(key))?.n?.N).toBe('7');
  });

  it('fail together when their request fails', async () => {
    const get = batchedGets(local.table.client, 'no-such-table');
    const reads = [get({ pk: 'a', sk: 'b' }), get({ pk: 'c', sk: 'd' })];
    await expect(Promise.all(reads)).rejects.toThrow();
    await Promise.allSettled(reads);
  });
});
