import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';

/** A run of one shard of the table's stream, as Lambda's on-failure record names it (DDBStreamBatchInfo). */
export interface StreamRange {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** Reads that bring nothing, in a row, before an open shard counts as read to its end. */
const emptyReadsAtEnd = 3;

/**
 * The records of one shard from the first to the last sequence number of `range`, both
 * included, read again from the stream (which keeps them 24 hours). Throws the stream's own
 * error (TrimmedDataAccessException, ResourceNotFoundException) when they are gone.
 */
export async function streamRecordsOf(streams: DynamoDBStreamsClient, range: StreamRange): Promise<_Record[]> {
  const sdk = await import('@aws-sdk/client-dynamodb-streams');
  const end = BigInt(range.endSequenceNumber);
  const { ShardIterator } = await streams.send(
    new sdk.GetShardIteratorCommand({ StreamArn: range.streamArn, ShardId: range.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: range.startSequenceNumber }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  let empty = 0;
  while (iterator !== undefined && empty < emptyReadsAtEnd) {
    const { Records: read = [], NextShardIterator } = await streams.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    empty = read.length === 0 ? empty + 1 : 0;
    for (const record of read) {
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) return records;
      records.push(record);
    }
    iterator = NextShardIterator;
  }
  return records;
}
