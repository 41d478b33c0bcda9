import type { DeviceRecord } from '../devices/schemas';
import { sweepJoinedAt } from '../ports';
import { forEachConcurrently } from './concurrently';
import { discoverCodes } from './discover';
import type { EngineDeps } from './reconcile';

/** A stable spread of locks over the interval: each lock's offset into it, from its id. */
function phaseOf(deviceId: string, intervalMs: number): number {
  let hash = 2166136261;
  for (const ch of deviceId) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash % Math.max(1, Math.floor(intervalMs));
}

/**
 * When a lock is next swept: at its own offset in each interval, the first such time after
 * `now`. Locks spread evenly over the interval, so 100,000 locks never reach a provider at once.
 */
export function nextSweepAt(deviceId: string, intervalMs: number, now: Date): string {
  const start = Math.floor(now.getTime() / intervalMs) * intervalMs + phaseOf(deviceId, intervalMs);
  return new Date(start > now.getTime() ? start : start + intervalMs).toISOString();
}

/**
 * The sweep's share of one poller tick, for some shards: every lock due is read whole (when its
 * provider can list its keypad), so a code changed or removed at an idle lock is found by the
 * external-change and unmanaged-code rules; then its next sweep is set. Reading a lock whose
 * keypad is as Latchkey left it writes nothing but its next sweep time. Locks are read
 * `concurrency` at a time; a lock that fails is counted and the others go on.
 */
export async function sweepDueLocks(
  deps: EngineDeps,
  options: { shards: readonly number[]; now: Date; intervalMs: number; limit?: number; deadline?: number; skip?: ReadonlySet<string>; concurrency?: number },
): Promise<{ swept: number; failures: unknown[] }> {
  const { shards, now, intervalMs, limit = 500, deadline = Infinity, skip = new Set(), concurrency = 16 } = options;
  let swept = 0;
  const failures: unknown[] = [];
  const due = (await Promise.all(shards.map((shard) => deps.devices.listSweepDue(shard, now.toISOString(), limit)))).flat();
  await forEachConcurrently(due, concurrency, async (lock) => {
    if (deps.clock.now().getTime() >= deadline) return;
    try {
      // Another sweeper moving it first took this lock.
      if (!(await deps.devices.moveSweep(lock, nextSweepAt(lock.device_id, intervalMs, now)))) return;
      // A lock that has just joined (a whole account connected at once, say) is only given its
      // place in the interval: read at once, thousands of new locks would reach a provider together.
      if (lock.due_at === sweepJoinedAt || skip.has(`${lock.workspace_id}|${lock.device_id}`)) return;
      const device: DeviceRecord | undefined = await deps.devices.get(lock.workspace_id, lock.device_id);
      if (!device || deps.providers.for(device).listEntries === undefined) return;
      await discoverCodes(deps, device, { intervalMs });
      swept++;
    } catch (error) {
      failures.push(error);
    }
  });
  return { swept, failures };
}
