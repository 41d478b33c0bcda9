import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { withoutSdkLogging } from './sdk-client';
import { tableDefinition } from './dynamodb-table';

/**
 * A client for DynamoDB Local, which accepts any region and credentials and keeps a database per
 * access key: `database` names it ('local' unless given, as the stream relay reads; letters and
 * digits only, as DynamoDB Local takes no other access key). A table in a database of its own
 * does not slow with other tables' writes: DynamoDB Local finds a stream shard's first record by
 * walking every stream record of its database, so each write to a table whose stream began after
 * many other writes costs time in proportion to them (12 ms a put after 20,000, against 2 ms).
 */
export function localDynamoDbClient(endpoint: string, database = 'local'): DynamoDBClient {
  return withoutSdkLogging(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: database, secretAccessKey: 'local' } }));
}

/**
 * Creates the table from `tableDefinition` unless it exists, and waits until it is ACTIVE.
 * For local mode and tests; in AWS the stateful stack owns the table.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if (!(await tableExists(client, tableName))) {
    try {
      await client.send(createTableCommand(tableName));
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      // Another process created it first.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
  await ensureStream(client, tableName);
}

/** Turns on the stream of a table created before the outbox read from it (or whose stream was turned off). */
export async function ensureStream(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType } }));
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

function createTableCommand(tableName: string): CreateTableCommand {
  const { partitionKey, sortKey, globalSecondaryIndexes } = tableDefinition;
  const keyAttributes = [partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
  return new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType },
    AttributeDefinitions: keyAttributes.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  });
}
