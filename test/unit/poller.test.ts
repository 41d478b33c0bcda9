import { makeHandler } from '../../functions/poll-pending-codes';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { dueShardCount, dueShardOf, shardGroups } from '../../lib/engine/due-shards';
import type { Context } from 'aws-lambda';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

async function withDueCodes(count: number) {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const input = createAccessCodeInputSchema.parse({ device_id: ws.byType('kwikset_lock').device_id });
    ids.push((await createAccessCode(app.deps, ws.principal, input)).access_code.access_code_id);
  }
  return { ...app, ws, ids };
}

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;

describe('the poller', () => {
  it('splits the due index into disjoint shard groups that cover every shard', () => {
    const groups = shardGroups(4);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: dueShardCount }, (_, i) => i));
    expect(new Set(groups.flat()).size).toBe(dueShardCount);
  });

  it("works only on the shards it is given: a lock's due codes are all in its lock's shard", async () => {
    const { deps, ids, ws } = await withDueCodes(12);
    const lockShard = dueShardOf(ws.byType('kwikset_lock').device_id);
    const groups = shardGroups(4);
    for (const others of groups.filter((group) => !group.includes(lockShard))) {
      expect(await pollDueCodes(deps, { shards: others })).toMatchObject({ processed: 0, deferred: 0 });
    }
    const mine = groups.find((group) => group.includes(lockShard));
    expect(await pollDueCodes(deps, { shards: mine })).toMatchObject({ processed: ids.length, failed: 0 });
  });

  it('stops taking codes at its deadline and leaves them due for the next tick', async () => {
    const { deps, ids } = await withDueCodes(5);
    const late = await pollDueCodes(deps, { deadline: deps.clock.now().getTime() });
    expect(late).toMatchObject({ processed: 0, deferred: ids.length });
    expect(await pollDueCodes(deps)).toMatchObject({ processed: ids.length, deferred: 0 });
  });

  it('reads its shards from the schedule input, and refuses shards that do not exist', async () => {
    const { deps } = await withDueCodes(3);
    const handler = makeHandler(deps);
    await expect(handler({ shards: [dueShardCount] }, context(60_000))).rejects.toThrow();
    await expect(handler({}, context(1000))).resolves.toMatchObject({ processed: 0, deferred: 3 });
    await expect(handler({ shards: shardGroups(1)[0] }, context(60_000))).resolves.toMatchObject({ processed: 3, deferred: 0 });
  });
});
