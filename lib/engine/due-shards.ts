/** Number of shards of the due index; the poller reads each shard in parallel. */
export const dueShardCount = 16;

/** The shard of an id (a lock's): a stable hash, so the id always lands in one shard. */
export function dueShardOf(id: string): number {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % dueShardCount;
}

/** `groups` disjoint sets of shards that together cover every shard: one per poller invocation. */
export function shardGroups(groups: number): number[][] {
  return Array.from({ length: groups }, (_, g) => Array.from({ length: dueShardCount }, (_, i) => i).filter((i) => i % groups === g));
}

/**
 * The due-index shard of a code: by its lock's id, as the lock's idle sweep (lib/engine/lock-sweep.ts),
 * so that one poller invocation holds each lock's whole line of due codes. It takes them in
 * order, asks the lock's pacing alone (shards by code had every invocation of a tick race for
 * the same locks' turns: a third of a burst's pacing writes lost the race and were written
 * again), and reads the lock once a tick, not once per invocation. Locks spread over the
 * shards as evenly as codes did; a lock's codes past its limit wait in line whatever the shard.
 */
export function dueShardOfCode(record: { access_code: { device_id: string } }): number {
  return dueShardOf(record.access_code.device_id);
}
