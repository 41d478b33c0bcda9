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

/** The due index's shards are the engine's; the table's keys and the stack use them from here too. */
export { dueShardCount, dueShardOf, dueShardOfCode, shardGroups } from '../engine/due-shards';
