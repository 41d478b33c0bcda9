import { recordPollerLag } from '../observability';
import { shardGroups } from './due-shards';
import type { DeviceRecord } from '../devices/schemas';
import type { AccessCodeRecord } from '../access-codes/schemas';
import { linePlace, waitingLines } from './turns';
import { type EngineDeps, reconcileAccessCode } from './reconcile';
import { discoverCodes } from './discover';
import { sweepDueLocks } from './lock-sweep';
import { forEachConcurrently } from './concurrently';

export interface PollOptions {
  /** Shards to sweep; all by default. In AWS each scheduled target sweeps its own group. */
  shards?: readonly number[];
  /**
   * Codes read per shard and round. A shard holds whole locks (due-shards.ts), so a page must
   * reach past one lock's backlog to the other locks of its shard: a round works on what its
   * pages hold, in fair order, before the next round reads on.
   */
  pageSize?: number;
  /** Codes worked on at once per shard. */
  concurrency?: number;
  /** Stop taking new codes at this time (epoch ms), so a sweep ends before its Lambda times out. */
  deadline?: number;
}

/**
 * The order a tick works on its due codes in: each lock's codes in its line's order (waiting
 * longest first, then due first), and the locks taken in turn, one code of each per round, with
 * the workspaces interleaved in every round, so a lock or a workspace with a thousand codes due
 * holds back no other.
 */
export function fairOrder(records: readonly AccessCodeRecord[]): { order: AccessCodeRecord[]; lines: string[][] } {
  // Each code's place is worked out once; places are ISO times and ids, so code-unit order is
  // their order (localeCompare gave the same order at many times the cost in a burst).
  type Placed = { record: AccessCodeRecord; place: string };
  const byPlace = (a: Placed, b: Placed) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0);
  const byLock = new Map<string, Placed[]>();
  for (const record of records) {
    const key = `${record.access_code.workspace_id}|${record.access_code.device_id}`;
    const placed = { record, place: linePlace(record) };
    const line = byLock.get(key);
    if (line) line.push(placed);
    else byLock.set(key, [placed]);
  }
  const placedLines = [...byLock.values()].map((line) => line.sort(byPlace));
  placedLines.sort((a, b) => byPlace(a[0] as Placed, b[0] as Placed));
  const lockLines = placedLines.map((line) => line.map((p) => p.record));
  // Locks in workspace turns: the first lock of each workspace, then the second of each, ...
  const seenOfWorkspace = new Map<string, number>();
  const ranked = lockLines.map((line) => {
    const ws = (line[0] as AccessCodeRecord).access_code.workspace_id;
    const rank = seenOfWorkspace.get(ws) ?? 0;
    seenOfWorkspace.set(ws, rank + 1);
    return { line, rank };
  });
  const locks = ranked.sort((a, b) => a.rank - b.rank).map((r) => r.line);
  const order: AccessCodeRecord[] = [];
  const longest = Math.max(0, ...locks.map((line) => line.length));
  for (let round = 0; round < longest; round++) for (const line of locks) if (round < line.length) order.push(line[round] as AccessCodeRecord);
  return { order, lines: locks.map((line) => line.map((r) => r.access_code.access_code_id)) };
}

/**
 * One tick of the poller: every code whose lifecycle work is due gets one engine step. It
 * reads only the sparse due index, so its cost follows the number of due codes, not stored
 * ones. A code that fails stays due and is retried on the next tick; so is any code left
 * when the deadline comes. Each round reads a page of every shard and works on it in fair
 * order (fairOrder), the codes of a lock taking their turns at the provider's limits in line.
 */
export async function pollDueCodes(deps: EngineDeps, options: PollOptions = {}) {
  const { shards = shardGroups(1)[0] ?? [], pageSize = 2_000, concurrency = 16, deadline = Infinity } = options;
  const now = deps.clock.now().toISOString();
  /** Steps, and lock reads, at once: as many as the shards would take each on their own. */
  const atOnce = concurrency * Math.max(1, shards.length);
  /** How overdue the most overdue code of this sweep was. */
  let lagMs = 0;
  const devices = new Map<string, Promise<DeviceRecord | undefined>>();
  let processed = 0;
  let deferred = 0;
  const failures: unknown[] = [];
  const seen = new Set<string>();
  let open = [...shards];
  while (open.length > 0) {
    const pages = await Promise.all(open.map(async (shard) => ({ shard, due: (await deps.accessCodes.listDue(shard, now, pageSize)).filter((r) => !seen.has(r.access_code.access_code_id)) })));
    open = pages.filter((page) => page.due.length > 0).map((page) => page.shard);
    const due = pages.flatMap((page) => page.due);
    for (const record of due) {
      seen.add(record.access_code.access_code_id);
      if (record.due_at !== undefined) lagMs = Math.max(lagMs, Date.parse(now) - Date.parse(record.due_at));
    }
    const { order, lines } = fairOrder(due);
    const turns = waitingLines(deps.pacing, lines);
    await forEachConcurrently(order, atOnce, async (record) => {
      const { workspace_id: workspaceId, access_code_id: accessCodeId } = record.access_code;
      try {
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
        await reconcileAccessCode(deps, workspaceId, accessCodeId, { record, device, turns });
        processed++;
      } catch (error) {
        failures.push(error);
      } finally {
        turns.passed(accessCodeId);
      }
    });
  }
  // Each lock read once more per sweep, whole: codes set outside Latchkey, and codes changed there. Locks side by side, as their codes were.
  await forEachConcurrently([...devices.values()], atOnce, async (found) => {
    const device = await found;
    if (!device || deps.clock.now().getTime() >= deadline) return;
    try {
      await discoverCodes(deps, device);
    } catch (error) {
      failures.push(error);
    }
  });
  // Idle locks too, at least once per sweep interval, spread over it (those read above are not read twice), side by side as well.
  const sweep = await sweepDueLocks(deps, {
    shards,
    now: new Date(now),
    intervalMs: deps.settings.lockSweepMs,
    deadline,
    skip: new Set(devices.keys()),
    concurrency: atOnce,
  });
  failures.push(...sweep.failures);
  recordPollerLag(lagMs);
  return { processed, deferred, failed: failures.length, failures, lagMs, swept: sweep.swept };
}
