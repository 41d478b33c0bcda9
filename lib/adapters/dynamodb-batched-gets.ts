import { BatchGetItemCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { UnprocessedKeysError, retry, retryPolicies } from '../retry';
import type { Item } from './dynamodb-doc';
import type { TableKey } from './dynamodb-keys';

/** BatchGetItem's most keys per request. */
const BATCH_GET_MAX_KEYS = 100;
/** Read requests out at once; reads asked for meanwhile wait for one to come back, and go out together. */
const MAX_IN_FLIGHT = 2;

interface Waiter {
  key: TableKey;
  resolve: (item: Item | undefined) => void;
  reject: (error: unknown) => void;
}

const idOf = (pk: string | undefined, sk: string | undefined) => `${pk}\u0000${sk}`;

/**
 * Strongly consistent reads of single items by key. Reads asked for in the same turn of the
 * event loop go out together, as one BatchGetItem per 100 keys; a read asked alone stays one
 * GetItem. While two requests are out, reads asked for wait for one of them to come back and
 * then go out together, so steps that fell out of step (each after its own write) still share. Many steps at once (the poller's burst: each code's lock slot and PIN claim) then
 * cost a request per hundred items instead of one each, for the same read units; a request
 * handler reading one item at a time sends exactly what it did before. Nothing is kept: each
 * call reads the table.
 */
export function batchedGets(client: DynamoDBClient, tableName: string): (key: TableKey) => Promise<Item | undefined> {
  let queued = new Map<string, Waiter[]>();
  let inFlight = 0;
  let scheduled = false;

  const readOne = async (waiters: Waiter[]) => {
    const [first] = waiters;
    if (first === undefined) return;
    const { pk, sk } = first.key;
    const { Item: found } = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
    for (const waiter of waiters) waiter.resolve(found);
  };

  const readMany = async (batch: Map<string, Waiter[]>) => {
    const found = new Map<string, Item>();
    let keys = [...batch.values()].flatMap(([w]) => (w === undefined ? [] : [{ pk: { S: w.key.pk }, sk: { S: w.key.sk } }]));
    await retry(retryPolicies.unprocessedKeys, async () => {
      const result = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of result.Responses?.[tableName] ?? []) found.set(idOf(item.pk?.S, item.sk?.S), item);
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []).map((k) => ({ pk: { S: k.pk?.S ?? '' }, sk: { S: k.sk?.S ?? '' } }));
      if (keys.length > 0) throw new UnprocessedKeysError(keys.length);
    });
    for (const [id, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(id));
  };

  const flush = () => {
    scheduled = false;
    const all = [...queued];
    queued = new Map();
    for (let i = 0; i < all.length; i += BATCH_GET_MAX_KEYS) {
      const batch = new Map(all.slice(i, i + BATCH_GET_MAX_KEYS));
      const waiters = [...batch.values()].flat();
      inFlight++;
      const read = batch.size === 1 ? readOne(waiters) : readMany(batch);
      read
        .catch((error: unknown) => {
          for (const waiter of waiters) waiter.reject(error);
        })
        .finally(() => {
          inFlight--;
          schedule();
        });
    }
  };
  const schedule = () => {
    if (scheduled || queued.size === 0 || inFlight >= MAX_IN_FLIGHT) return;
    scheduled = true;
    setImmediate(flush);
  };

  return (key) =>
    new Promise<Item | undefined>((resolve, reject) => {
      const id = idOf(key.pk, key.sk);
      const waiters = queued.get(id);
      const waiter = { key, resolve, reject };
      if (waiters) waiters.push(waiter);
      else queued.set(id, [waiter]);
      schedule();
    });
}
