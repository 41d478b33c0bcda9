import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { tableDefinition } from '../../lib/adapters/dynamodb-table';
import { accountSecretName } from '../../lib/providers/seam';
import { hubThingPrefix } from '../../lib/hub-contract/shadow-documents';
import { functionBundling, functionRuntime, providerFunctionBundling } from '../bundling';
import { type LatchkeyConfig, removalPolicyOf } from '../config';
import { functionEntry, projectRoot } from '../functions';
import { type Needs, usesHubShadows } from '../../lib/triggers';

/** Actions of a function that only reads (TransactGetItems needs GetItem). */
export const readActions = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];

/** Actions a writing function adds (TransactWriteItems needs these per item). */
export const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** Where an asynchronously invoked function's events go once Lambda's retries are spent. */
export interface AsyncFailureHandling {
  readonly deadLetterQueue: IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/** The stack's queues, which a function reaches only if its table entry needs them. */
export interface FunctionQueues {
  /** The follow-up queue engine steps are scheduled on. */
  readonly followUps: IQueue;
  readonly webhookDeliveries: IQueue;
  readonly webhookDeadLetters: IQueue;
}

export interface LatchkeyFunctionProps {
  /** File in functions/ without `.ts`; it exports `handler`. */
  readonly name: string;
  readonly config: LatchkeyConfig;
  readonly table: ITable;
  readonly bus: IEventBus;
  /** What the function needs, from the routes or the trigger table: its environment and grants follow from it, nothing else. */
  readonly needs: Needs;
  /** Required when `needs` names follow-ups or webhook queues. */
  readonly queues?: FunctionQueues;
  /** The account's IoT data endpoint (`https://…-ats.iot.<region>.amazonaws.com`), looked up at deploy time; required for functions that reach hubs. */
  readonly iotDataEndpoint?: string;
  /** @default 15 seconds: a `sync` request waits up to 9 s for its action attempt; API Gateway gives up at 30 */
  readonly timeout?: Duration;
  /** For functions invoked asynchronously (by EventBridge, IoT Core); unset for HTTP functions. */
  readonly asyncFailures?: AsyncFailureHandling;
}

/** IoT data-plane actions a function that programs Z-Wave locks needs on the hubs' things. */
export const hubShadowActions = ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:ListNamedShadowsForThing'];

/**
 * One Latchkey Lambda function with every default set once: runtime, arm64, ESM bundle,
 * environment, its own log group with retention, tracing, and a role holding only the
 * permissions this function uses (no AWS managed policies).
 */
export class LatchkeyFunction extends Construct {
  readonly lambda: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LatchkeyFunctionProps) {
    super(scope, id);
    const { config, table, bus, needs } = props;
    const iotDataEndpoint = (): string => {
      if (props.iotDataEndpoint === undefined) throw new Error(`${props.name} reaches hubs and needs the IoT data endpoint`);
      return props.iotDataEndpoint;
    };
    const queues = (): FunctionQueues => {
      if (props.queues === undefined) throw new Error(`${props.name} needs the stack's queues`);
      return props.queues;
    };
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      removalPolicy: removalPolicyOf(config),
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Latchkey ${config.stage} ${props.name}`,
    });
    this.logGroup.grantWrite(this.role);

    const indexArns = tableDefinition.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
    if (needs.table !== 'none') {
      this.role.addToPolicy(new PolicyStatement({ actions: readActions, resources: [table.tableArn, ...indexArns] }));
    }
    if (needs.table === 'readWrite') {
      this.role.addToPolicy(new PolicyStatement({ actions: writeActions, resources: [table.tableArn] }));
    }
    if (needs.bus) {
      this.role.addToPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
    }

    const secretsPrefix = `latchkey/${config.stage}/`;
    if (needs.credentials !== undefined) {
      const accountSecrets = Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${secretsPrefix}${accountSecretName('*')}`,
      });
      const actions = ['secretsmanager:GetSecretValue', ...(needs.credentials === 'readWrite' ? ['secretsmanager:DeleteSecret'] : [])];
      this.role.addToPolicy(new PolicyStatement({ actions, resources: [accountSecrets] }));
      Validations.of(this.role).acknowledge({
        // cdk-nag names the resource with the ARN's pseudo parameters spelled out.
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretsPrefix}${accountSecretName('*')}]`,
        reason: "One secret per connected account, created at run time by the operator CLI: the grant is scoped to those secrets' name prefix.",
      });
    }

    if (needs.webhookSecrets !== undefined) {
      const webhookSecrets = Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${secretsPrefix}webhooks/*`,
      });
      const actions = [
        'secretsmanager:GetSecretValue',
        ...(needs.webhookSecrets === 'readWrite' ? ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'] : []),
      ];
      this.role.addToPolicy(new PolicyStatement({ actions, resources: [webhookSecrets] }));
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretsPrefix}webhooks/*]`,
        reason: "One secret per webhook, created when the webhook is: the grant is scoped to the webhook secrets' name prefix.",
      });
    }
    // SendMessage only: CDK's grantSendMessages adds GetQueueAttributes and GetQueueUrl, which no function calls.
    const sendTo = (queue: IQueue) => this.role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    if (needs.webhookQueues) {
      sendTo(queues().webhookDeliveries);
      sendTo(queues().webhookDeadLetters);
    }
    if (needs.followUps) sendTo(queues().followUps);
    const followUpEnvironment: Record<string, string> = needs.followUps ? { LATCHKEY_FOLLOW_UP_QUEUE_URL: queues().followUps.queueUrl } : {};
    const secretsEnvironment: Record<string, string> = needs.credentials !== undefined || needs.webhookSecrets !== undefined ? { LATCHKEY_SECRETS_PREFIX: secretsPrefix } : {};
    const queueEnvironment: Record<string, string> = needs.webhookQueues
      ? { LATCHKEY_WEBHOOK_QUEUE_URL: queues().webhookDeliveries.queueUrl, LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL: queues().webhookDeadLetters.queueUrl }
      : {};
    const hubShadows = usesHubShadows(needs);
    if (hubShadows) {
      const hubThingsPrefix = hubThingPrefix(config.stage);
      const hubThings = Stack.of(this).formatArn({ service: 'iot', resource: 'thing', resourceName: `${hubThingsPrefix}*` });
      // A named shadow's ARN is the thing's with `/<shadow name>` after it.
      this.role.addToPolicy(new PolicyStatement({ actions: hubShadowActions, resources: [hubThings, `${hubThings}/*`] }));
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:thing/${hubThingsPrefix}*]`,
        reason: 'Hubs are things created at run time by the operator CLI: the grant is scoped to their name prefix.',
      });
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:thing/${hubThingsPrefix}*/*]`,
        reason: "One named shadow per lock of a hub, named by the hub's agent: the grant is scoped to the hubs' things.",
      });
    }

    const lifecycleEnvironment: Record<string, string> = needs.lifecycle
      ? {
          LATCHKEY_JIT_LEAD_SECONDS: String(config.jitLeadSeconds),
          LATCHKEY_NATIVE_LEAD_HOURS: String(config.nativeLeadHours),
          LATCHKEY_RECURRING_LEAD_SECONDS: String(config.recurringLeadSeconds),
          LATCHKEY_SANDBOX_LATENCY_MS: String(config.sandboxLatencyMs),
          LATCHKEY_CODE_HISTORY_DAYS: String(config.codeHistoryDays),
        }
      : {};

    this.lambda = new NodejsFunction(this, 'Function', {
      entry: functionEntry(props.name),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: functionRuntime,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout ?? Duration.seconds(15),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      bundling: needs.credentials === undefined ? functionBundling : providerFunctionBundling,
      description: `Latchkey ${config.stage}: ${props.name}`,
      environment: {
        LATCHKEY_FUNCTION: props.name,
        LATCHKEY_STAGE: config.stage,
        LATCHKEY_STORE: 'dynamodb',
        LATCHKEY_TABLE_NAME: table.tableName,
        ...(needs.bus && { LATCHKEY_EVENT_BUS_NAME: bus.eventBusName }),
        LOG_LEVEL: config.logLevel,
        POWERTOOLS_SERVICE_NAME: 'latchkey',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        NODE_OPTIONS: '--enable-source-maps',
        ...secretsEnvironment,
        ...queueEnvironment,
        ...followUpEnvironment,
        ...(hubShadows && { LATCHKEY_ZWAVE_HUBS: 'aws-iot', LATCHKEY_IOT_DATA_ENDPOINT: iotDataEndpoint() }),
        ...lifecycleEnvironment,
      },
      ...(props.asyncFailures && {
        deadLetterQueue: props.asyncFailures.deadLetterQueue,
        retryAttempts: props.asyncFailures.retryAttempts,
        maxEventAge: props.asyncFailures.maxEventAge,
      }),
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Only actions that support no resource scoping: X-Ray tracing (PutTraceSegments, PutTelemetryRecords), and for the stream reader dynamodb:ListStreams.',
    });
  }
}
