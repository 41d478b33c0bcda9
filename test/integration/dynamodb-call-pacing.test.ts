import { randomUUID } from 'node:crypto';
import { storesOnTestTable } from '../support/dynamodb-local';

const local = storesOnTestTable();

describe('provider call pacing on DynamoDB Local', () => {
  it('grants exactly the limit of 40 concurrent takes in one window, and the next window opens again', async () => {
    const key = `seam#${randomUUID()}#create`;
    const limit = { calls: 10, perMs: 60_000 };
    const at = new Date('2026-11-23T12:00:10.000Z');
    const answers = await Promise.all(Array.from({ length: 40 }, () => local.stores.pacing.take(key, limit, at)));
    expect(answers.filter((a) => a.granted)).toHaveLength(10);
    expect(new Set(answers.filter((a) => !a.granted).map((a) => ('retryAt' in a ? a.retryAt : '')))).toEqual(new Set(['2026-11-23T12:01:00.000Z']));
    expect(await local.stores.pacing.take(key, limit, new Date('2026-11-23T12:01:00.000Z'))).toEqual({ granted: true });
  });
});
