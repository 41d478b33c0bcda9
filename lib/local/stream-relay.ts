import { type DynamoDBClient, DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import * as z from 'zod';
import { fromItem, toItem } from '../adapters/dynamodb-doc';
import { streamCheckpointKeys } from '../adapters/dynamodb-keys';
import { withoutSdkLogging } from '../adapters/sdk-client';

export interface StreamRelayOptions {
  /** The DynamoDB (Local) endpoint, for the streams client. */
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  /** What Lambda's event source mapping would invoke: returns the first record not handled. */
  handle(records: _Record[]): Promise<{ failedSequenceNumber?: string; published: number }>;
  /** How long to wait between reads when the stream has nothing new. */
  intervalMs: number;
  onError(error: unknown): void;
}

export interface StreamRelay {
  /** Reads and hands on everything the stream holds now. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const checkpointSchema = z.object({ sequence_number: z.string() });

/**
 * Local mode's event source mapping: reads the table's stream (DynamoDB Local keeps it in its
 * data files) and hands each batch to the publish-events handler, as Lambda does in AWS. How
 * far each shard was published is kept in the table, written after the publish, so a process
 * killed at any point publishes again (at least once) from there when it restarts.
 */
export function startStreamRelay(options: StreamRelayOptions): StreamRelay {
  const { client, tableName } = options;
  const streams = withoutSdkLogging(new DynamoDBStreamsClient({ endpoint: options.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  /** Where the next read of each shard starts; absent until the shard's checkpoint is read. */
  const iterators = new Map<string, string | null>();
  /** The last sequence number handled per shard, to resume from when an iterator is lost. */
  const positions = new Map<string, string>();

  const checkpoint = async (shardId: string): Promise<string | undefined> => {
    const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: toItem(streamCheckpointKeys.key(shardId)), ConsistentRead: true }))).Item;
    return item && checkpointSchema.parse(fromItem(item)).sequence_number;
  };
  const saveCheckpoint = async (shardId: string, sequenceNumber: string) => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: toItem({ ...streamCheckpointKeys.key(shardId), sequence_number: sequenceNumber }) }));
  };

  async function iteratorFor(streamArn: string, shardId: string): Promise<string | null> {
    const known = iterators.get(shardId);
    if (known !== undefined) return known;
    const after = positions.get(shardId) ?? (await checkpoint(shardId));
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after === undefined ? { ShardIteratorType: 'TRIM_HORIZON' } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
      }),
    );
    return ShardIterator ?? null;
  }

  /** Reads one shard to its current end; false when nothing was read. */
  async function readShard(streamArn: string, shardId: string): Promise<boolean> {
    let iterator = await iteratorFor(streamArn, shardId);
    let readAny = false;
    while (iterator !== null) {
      const { Records: records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      if (records.length === 0) {
        iterators.set(shardId, NextShardIterator ?? null);
        return readAny;
      }
      readAny = true;
      const { failedSequenceNumber, published } = await options.handle(records);
      const failedAt = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedSequenceNumber);
      const handled = failedSequenceNumber === undefined ? records : records.slice(0, Math.max(failedAt, 0));
      const last = handled.at(-1)?.dynamodb?.SequenceNumber;
      if (last !== undefined) {
        positions.set(shardId, last);
        // Only batches that carried events move the checkpoint: the checkpoint's own write is a
        // stream record too, and must not cause another.
        if (published > 0) await saveCheckpoint(shardId, last);
      }
      if (failedSequenceNumber !== undefined) {
        // Read again from the first event not published, on the next pass.
        iterators.delete(shardId);
        return readAny;
      }
      iterator = NextShardIterator ?? null;
      iterators.set(shardId, iterator);
    }
    return readAny;
  }

  async function drainOnce(): Promise<void> {
    const streamArn = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
    if (streamArn === undefined) return;
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    for (const shard of shards) {
      if (shard.ShardId === undefined) continue;
      try {
        while (await readShard(streamArn, shard.ShardId)) {}
      } catch (error) {
        // An expired or stale iterator: the next pass starts again from the last position.
        iterators.delete(shard.ShardId);
        options.onError(error);
      }
    }
  }

  let running: Promise<void> | undefined;
  const drain = () => {
    running ??= drainOnce()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(() => {
      void drain().finally(() => {
        if (!stopped) loop();
      });
    }, options.intervalMs);
    timer.unref();
  };
  loop();

  return {
    drain,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      streams.destroy();
    },
  };
}
