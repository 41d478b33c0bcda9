import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../lib/adapters/dynamodb-table';
import { type LatchkeyConfig, removalPolicyOf } from '../config';
import { HubPolicy } from '../constructs/hub-policy';

const attributeTypes = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

const attribute = (key: { readonly name: string; readonly type: keyof typeof attributeTypes }) => ({
  name: key.name,
  type: attributeTypes[key.type],
});

export interface StatefulStackProps extends StackProps {
  readonly config: LatchkeyConfig;
}

/**
 * What holds data and outlives deployments: the table, the event bus and the Z-Wave hubs' IoT
 * policy. Kept apart from the functions so that redeploying or deleting those never touches
 * the data or detaches a hub.
 */
export class StatefulStack extends Stack {
  readonly table: ITable;
  readonly bus: IEventBus;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const retain = props.config.removalPolicy === 'retain';

    const table = new Table(this, 'Table', {
      partitionKey: attribute(tableDefinition.partitionKey),
      sortKey: attribute(tableDefinition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: retain,
      removalPolicy: removalPolicyOf(props.config),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      // The outbox: stored events reach the bus from the stream (functions/publish-events).
      stream: StreamViewType[tableDefinition.streamViewType],
    });
    for (const index of tableDefinition.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
      });
    }
    this.table = table;

    this.bus = new EventBus(this, 'Bus', { description: `Latchkey ${props.config.stage}: access_code.* events` });

    // Z-Wave hubs' IoT policy: certificates are attached to it at run time, so it outlives the functions.
    new HubPolicy(this, 'ZwaveHubPolicy');

    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'LATCHKEY_TABLE_NAME for the operator CLI' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: 'Bus of access_code.* events' });
  }
}
