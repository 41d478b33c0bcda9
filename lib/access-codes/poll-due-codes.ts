import { dueShardCount } from '../adapters/dynamodb-table';
import { type EngineDeps, reconcileAccessCode } from './reconcile';

export interface PollOptions {
  /** Shards to sweep; all by default. In AWS each shard can be swept by its own invocation. */
  shards?: readonly number[];
  /** Codes read per query. */
  pageSize?: number;
  /** Codes worked on at once per shard. */
  concurrency?: number;
}

async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/**
 * One tick of the poller: every code whose lifecycle work is due gets one engine step. It
 * reads only the sparse due index, so its cost follows the number of due codes, not stored
 * ones. A code that fails is logged by the caller and retried on the next tick.
 */
export async function pollDueCodes(deps: EngineDeps, options: PollOptions = {}) {
  const { shards = Array.from({ length: dueShardCount }, (_, i) => i), pageSize = 500, concurrency = 16 } = options;
  const now = deps.clock.now().toISOString();
  let processed = 0;
  const failures: unknown[] = [];
  await Promise.all(
    shards.map(async (shard) => {
      const seen = new Set<string>();
      for (;;) {
        const due = (await deps.accessCodes.listDue(shard, now, pageSize)).filter((r) => !seen.has(r.access_code.access_code_id));
        if (due.length === 0) return;
        await forEachConcurrently(due, concurrency, async (record) => {
          seen.add(record.access_code.access_code_id);
          try {
            await reconcileAccessCode(deps, record.access_code.workspace_id, record.access_code.access_code_id);
            processed++;
          } catch (error) {
            failures.push(error);
          }
        });
      }
    }),
  );
  return { processed, failed: failures.length, failures };
}
