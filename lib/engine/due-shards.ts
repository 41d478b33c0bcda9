/** Number of shards of the due index; the poller reads each shard in parallel. */
export const dueShardCount = 16;

/** The due-index shard of a code: a stable hash of its id, so a code always lands in one shard. */
export function dueShardOf(accessCodeId: string): number {
  let hash = 0;
  for (const ch of accessCodeId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % dueShardCount;
}

/** `groups` disjoint sets of shards that together cover every shard: one per poller invocation. */
export function shardGroups(groups: number): number[][] {
  return Array.from({ length: groups }, (_, g) => Array.from({ length: dueShardCount }, (_, i) => i).filter((i) => i % groups === g));
}

/**
 * The due-index shard of a code: by its id, spreading codes evenly; while it waits its turn at
 * a provider's limit, by its lock's id, so that one poller sees the lock's whole waiting line
 * and takes it in order.
 */
export function dueShardOfCode(record: { access_code: { access_code_id: string; device_id: string }; queued_since?: string }): number {
  return dueShardOf(record.queued_since === undefined ? record.access_code.access_code_id : record.access_code.device_id);
}
