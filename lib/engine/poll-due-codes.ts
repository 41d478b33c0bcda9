import { recordPollerLag } from '../observability';
import { shardGroups } from './due-shards';
import type { DeviceRecord } from '../devices/schemas';
import { type EngineDeps, reconcileAccessCode } from './reconcile';
import { discoverCodes } from './discover';
import { sweepDueLocks } from './lock-sweep';

export interface PollOptions {
  /** Shards to sweep; all by default. In AWS each scheduled target sweeps its own group. */
  shards?: readonly number[];
  /** Codes read per query. */
  pageSize?: number;
  /** Codes worked on at once per shard. */
  concurrency?: number;
  /** Stop taking new codes at this time (epoch ms), so a sweep ends before its Lambda times out. */
  deadline?: number;
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
 * ones. A code that fails stays due and is retried on the next tick; so is any code left
 * when the deadline comes.
 */
export async function pollDueCodes(deps: EngineDeps, options: PollOptions = {}) {
  const { shards = shardGroups(1)[0] ?? [], pageSize = 500, concurrency = 16, deadline = Infinity } = options;
  const now = deps.clock.now().toISOString();
  /** How overdue the most overdue code of this sweep was. */
  let lagMs = 0;
  const devices = new Map<string, Promise<DeviceRecord | undefined>>();
  let processed = 0;
  let deferred = 0;
  const failures: unknown[] = [];
  await Promise.all(
    shards.map(async (shard) => {
      const seen = new Set<string>();
      for (;;) {
        const due = (await deps.accessCodes.listDue(shard, now, pageSize)).filter((r) => !seen.has(r.access_code.access_code_id));
        for (const record of due) if (record.due_at !== undefined) lagMs = Math.max(lagMs, Date.parse(now) - Date.parse(record.due_at));
        if (due.length === 0) return;
        await forEachConcurrently(due, concurrency, async (record) => {
          const { workspace_id: workspaceId, access_code_id: accessCodeId } = record.access_code;
          seen.add(accessCodeId);
          if (deps.clock.now().getTime() >= deadline) {
            deferred++;
            return;
          }
          // One device read per sweep, however many of its codes are due.
          const device = (deviceId: string) => {
            const key = `${workspaceId}|${deviceId}`;
            if (!devices.has(key)) devices.set(key, deps.devices.get(workspaceId, deviceId));
            return devices.get(key) as Promise<DeviceRecord | undefined>;
          };
          try {
            await reconcileAccessCode(deps, workspaceId, accessCodeId, { record, device });
            processed++;
          } catch (error) {
            failures.push(error);
          }
        });
      }
    }),
  );
  // Each lock read once more per sweep, whole: codes set outside Latchkey, and codes changed there.
  for (const found of devices.values()) {
    const device = await found;
    if (!device || deps.clock.now().getTime() >= deadline) continue;
    try {
      await discoverCodes(deps, device);
    } catch (error) {
      failures.push(error);
    }
  }
  // Idle locks too, at least once per sweep interval, spread over it (those read above are not read twice).
  const sweep = await sweepDueLocks(deps, { shards, now: new Date(now), intervalMs: deps.settings.lockSweepMs, deadline, skip: new Set(devices.keys()) });
  failures.push(...sweep.failures);
  recordPollerLag(lagMs);
  return { processed, deferred, failed: failures.length, failures, lagMs, swept: sweep.swept };
}
