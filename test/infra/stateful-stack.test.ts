import { Match } from 'aws-cdk-lib/assertions';
import { tableDefinition } from '../../lib/adapters/dynamodb-table';
import { logicalIdOf, synthLatchkey } from './latchkey-app';

const { stateful } = synthLatchkey();

describe('the table', () => {
  test('has the key schema and attributes of the shared table definition', () => {
    const { partitionKey, sortKey, globalSecondaryIndexes } = tableDefinition;
    const keys = [partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type }))),
    });
  });

  test('has every index of the shared table definition, projecting all attributes', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  test('is billed on demand, with point-in-time recovery, KMS encryption and TTL', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      ProvisionedThroughput: Match.absent(),
    });
  });

  test('streams new images, which the outbox relay reads', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  test('is retained and deletion-protected by default', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });
});

describe('the outputs', () => {
  test('name the table and the bus', () => {
    stateful.hasOutput('TableName', { Value: { Ref: logicalIdOf(stateful, 'AWS::DynamoDB::Table', {}) } });
    stateful.hasOutput('EventBusName', { Value: { Ref: logicalIdOf(stateful, 'AWS::Events::EventBus', {}) } });
  });
});
