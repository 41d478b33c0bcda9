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
});
