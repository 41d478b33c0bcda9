/**
 * The one DynamoDB table's key definitions, shared by the CDK stack, local mode and tests.
 * Kept free of SDK and CDK imports so that both sides can use it.
 */
export const tableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    /** Secondary listings: codes by device, events by time, API keys by workspace, workspaces. */
    { indexName: 'gsi1', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' } },
    /** Sparse, sharded index of codes with pending lifecycle work, sorted by when it is due. */
    { indexName: 'due', partitionKey: { name: 'due_shard', type: 'S' }, sortKey: { name: 'due_at', type: 'S' } },
  ],
  timeToLiveAttribute: 'expires_at',
  /** The outbox: new event items reach the bus from the table's stream. */
  streamViewType: 'NEW_IMAGE',
} as const;

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
