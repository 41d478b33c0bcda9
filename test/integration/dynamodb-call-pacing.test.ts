import { randomUUID } from 'node:crypto';
import { dynamoDbCallPacing } from '../../lib/adapters/dynamodb-call-pacing';
import { tableOperations } from '../../lib/adapters/dynamodb-support';
import type { CallPacing } from '../../lib/ports';
import { storesOnTestTable } from '../support/dynamodb-local';

const local = storesOnTestTable();

/** Four processes' pacing on the one table, as four Lambda instances would have: they race on the grants item. */
const processes = (): CallPacing[] => Array.from({ length: 4 }, () => dynamoDbCallPacing(tableOperations(local.table.client, local.table.tableName)));
/** `count` takes at once, spread over the processes. */
const takeAtOnce = (count: number, key: string, limit: { calls: number; perMs: number }, at: string) => {
  const pacing = processes();
  return Promise.all(Array.from({ length: count }, (_, i) => (pacing[i % pacing.length] as CallPacing).take(key, limit, new Date(at))));
};

/** A process's pacing whose table requests are counted by command. */
function countedProcess() {
  const sent: string[] = [];
  const client = local.table.client;
  const counting = new Proxy(client, {
    get: (target, name, receiver) =>
      name === 'send'
        ? (command: { constructor: { name: string } }, ...rest: unknown[]) => {
            sent.push(command.constructor.name);
            return Reflect.apply(target.send, target, [command, ...rest]);
          }
        : Reflect.get(target, name, receiver),
  });
  return { pacing: dynamoDbCallPacing(tableOperations(counting, local.table.tableName)), sent };
}

describe('provider call pacing on DynamoDB Local', () => {
  it('grants exactly the limit of 40 concurrent takes, and the span opens again once the first grants leave it', async () => {
    const key = `seam#${randomUUID()}#create`;
    const limit = { calls: 10, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:10.000Z');
    const answers = await takeAtOnce(40, key, limit, at.toISOString());
    expect(answers.filter((a) => a.granted)).toHaveLength(10);
    expect(new Set(answers.filter((a) => !a.granted).map((a) => ('retryAt' in a ? a.retryAt : '')))).toEqual(new Set(['2026-11-23T12:01:10.000Z']));
    expect(await local.stores.pacing.take(key, limit, new Date('2026-11-23T12:01:09.999Z'))).toMatchObject({ granted: false });
    expect(await local.stores.pacing.take(key, limit, new Date('2026-11-23T12:01:10.000Z'))).toEqual({ granted: true });
  });

  it('never grants more than the limit in any span across a minute boundary: 10 at 00:59, then 10 at 01:00 are refused until 01:59', async () => {
    const key = `seam#${randomUUID()}#create`;
    const limit = { calls: 10, perMs: 60_000 };
    const before = await takeAtOnce(10, key, limit, '2026-11-23T12:00:59.000Z');
    expect(before.filter((a) => a.granted)).toHaveLength(10);
    const after = await takeAtOnce(10, key, limit, '2026-11-23T12:01:00.000Z');
    expect(after).toEqual(after.map(() => ({ granted: false, retryAt: '2026-11-23T12:01:59.000Z' })));
    const later = await takeAtOnce(12, key, limit, '2026-11-23T12:01:59.000Z');
    expect(later.filter((a) => a.granted)).toHaveLength(10);
  });

  it('costs a process pacing a key alone one read, then one conditional write per granted take and nothing for a refusal', async () => {
    const key = `seam#${randomUUID()}#create`;
    const limit = { calls: 10, perMs: 60_000 };
    const { pacing, sent } = countedProcess();
    const start = Date.parse('2026-11-23T12:00:00.000Z');
    for (let i = 0; i < 10; i++) expect(await pacing.take(key, limit, new Date(start + i * 1000))).toEqual({ granted: true });
    expect(await pacing.take(key, limit, new Date(start + 30_000))).toEqual({ granted: false, retryAt: '2026-11-23T12:01:00.000Z' });
    expect(sent).toEqual(['GetItemCommand', ...Array.from({ length: 10 }, () => 'PutItemCommand')]);
  });

  it('reads again and decides afresh when another process granted calls since it last wrote, never passing the limit', async () => {
    const key = `seam#${randomUUID()}#create`;
    const limit = { calls: 10, perMs: 60_000 };
    const a = countedProcess();
    const b = countedProcess();
    const at = (s: number) => new Date(Date.parse('2026-11-23T12:00:00.000Z') + s * 1000);
    for (let i = 0; i < 5; i++) expect(await a.pacing.take(key, limit, at(i))).toEqual({ granted: true });
    for (let i = 5; i < 10; i++) expect(await b.pacing.take(key, limit, at(i))).toEqual({ granted: true });
    // A knows 5 grants; the item holds 10: A's write on its version loses, it reads the 10 and refuses.
    expect(await a.pacing.take(key, limit, at(20))).toEqual({ granted: false, retryAt: '2026-11-23T12:01:00.000Z' });
    expect(a.sent).toEqual(['GetItemCommand', ...Array.from({ length: 5 }, () => 'PutItemCommand'), 'PutItemCommand', 'GetItemCommand']);
    // Once A's first grant leaves the span, one more call is granted, wherever it is taken.
    expect(await a.pacing.take(key, limit, at(60))).toEqual({ granted: true });
    expect(await b.pacing.take(key, limit, at(60))).toMatchObject({ granted: false });
  });

  it('grants one call to the same work taken by four processes at once, and keeps the other grants as they were', async () => {
    const key = `seam#${randomUUID()}#create`;
    const limit = { calls: 10, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:10.000Z');
    const work = { id: `${randomUUID()}@2`, holdMs: 60_000 };
    const pacing = processes();
    const answers = await Promise.all(pacing.map((p) => p.take(key, limit, at, work)));
    expect(answers.filter((a) => a.granted)).toHaveLength(1);
    expect(answers.filter((a) => !a.granted)).toEqual(Array.from({ length: 3 }, () => ({ granted: false, retryAt: '2026-11-23T12:01:10.000Z', held: true })));
    // Other work still finds 9 turns; the held work is granted again once its hold ends.
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => (pacing[i % 4] as CallPacing).take(key, limit, at, { id: `other-${i}@1`, holdMs: 60_000 })));
    expect(others.filter((a) => a.granted)).toHaveLength(9);
    expect(await local.stores.pacing.take(key, limit, new Date('2026-11-23T12:01:10.000Z'), work)).toEqual({ granted: true });
  });
});
