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
import { accountSecretName } from '../../lib/providers/seam/seam-account';
import { hubThingPrefix } from '../../lib/hub-contract/shadow-documents';
import { functionBundling, functionRuntime, providerFunctionBundling } from '../bundling';
import { type LatchkeyConfig, removalPolicyOf } from '../config';
import { functionEntry, projectRoot } from '../functions';

/** Actions of a function that only reads (TransactGetItems needs GetItem). */
export const readActions = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];

/** Actions a writing function adds (TransactWriteItems needs these per item). */
export const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** What a function may do with the table: nothing, read it, or read and write it. */
export type TableAccess = 'none' | 'read' | 'readWrite';

/** Where an asynchronously invoked function's events go once Lambda's retries are spent. */
export interface AsyncFailureHandling {
  readonly deadLetterQueue: IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

export interface LatchkeyFunctionProps {
  /** File in functions/ without `.ts`; it exports `handler`. */
  readonly name: string;
  readonly config: LatchkeyConfig;
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly access: TableAccess;
  /** Whether the function puts events on the bus (only the outbox's relay does). */
  readonly publishes?: boolean;
  /** Whether the function applies lifecycle rules, and so needs the lead times and sandbox latency. */
  readonly lifecycle: boolean;
  /** @default 15 seconds: a `sync` request waits up to 9 s for its action attempt; API Gateway gives up at 30 */
  readonly timeout?: Duration;
  /**
   * Provider credentials the function reads (it calls lock providers) or also deletes. Such a
   * function gets the provider clients installed and access to the accounts' secrets only.
   * @default none
   */
  readonly credentials?: 'read' | 'readWrite';
  /** Webhook signing secrets (Secrets Manager) the function reads, or also creates and deletes. @default none */
  readonly webhookSecrets?: 'read' | 'readWrite';
  /** The follow-up queue the function schedules engine steps on (functions that run the engine). @default none */
  readonly followUps?: IQueue;
  /** The webhook delivery queue the function sends to, with its dead-letter queue. @default none */
  readonly webhookQueues?: { readonly deliveries: IQueue; readonly deadLetters: IQueue };
  /** For functions invoked asynchronously (by EventBridge); unset for HTTP functions. */
  readonly asyncFailures?: AsyncFailureHandling;
  /**
   * Reads and writes Z-Wave hubs' lock shadows (IoT data plane, `latchkey-hub-*` things only).
   * @default true for functions that call providers (`credentials` set), false otherwise
   */
  readonly hubShadows?: boolean;
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
    const { config, table, bus } = props;
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
    if (props.access !== 'none') {
      this.role.addToPolicy(new PolicyStatement({ actions: readActions, resources: [table.tableArn, ...indexArns] }));
    }
    if (props.access === 'readWrite') {
      this.role.addToPolicy(new PolicyStatement({ actions: writeActions, resources: [table.tableArn] }));
    }
    if (props.publishes) {
      this.role.addToPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
    }

    const secretsPrefix = `latchkey/${config.stage}/`;
    if (props.credentials !== undefined) {
      const accountSecrets = Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${secretsPrefix}${accountSecretName('*')}`,
      });
      const actions = ['secretsmanager:GetSecretValue', ...(props.credentials === 'readWrite' ? ['secretsmanager:DeleteSecret'] : [])];
      this.role.addToPolicy(new PolicyStatement({ actions, resources: [accountSecrets] }));
      Validations.of(this.role).acknowledge({
        // cdk-nag names the resource with the ARN's pseudo parameters spelled out.
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretsPrefix}${accountSecretName('*')}]`,
        reason: "One secret per connected account, created at run time by the operator CLI: the grant is scoped to those secrets' name prefix.",
      });
    }

    if (props.webhookSecrets !== undefined) {
      const webhookSecrets = Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${secretsPrefix}webhooks/*`,
      });
      const actions = [
        'secretsmanager:GetSecretValue',
        ...(props.webhookSecrets === 'readWrite' ? ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'] : []),
      ];
      this.role.addToPolicy(new PolicyStatement({ actions, resources: [webhookSecrets] }));
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretsPrefix}webhooks/*]`,
        reason: "One secret per webhook, created when the webhook is: the grant is scoped to the webhook secrets' name prefix.",
      });
    }
    if (props.webhookQueues !== undefined) {
      props.webhookQueues.deliveries.grantSendMessages(this.role);
      props.webhookQueues.deadLetters.grantSendMessages(this.role);
    }
    if (props.followUps !== undefined) props.followUps.grantSendMessages(this.role);
    const followUpEnvironment: Record<string, string> = props.followUps ? { LATCHKEY_FOLLOW_UP_QUEUE_URL: props.followUps.queueUrl } : {};
    const secretsEnvironment: Record<string, string> = props.credentials !== undefined || props.webhookSecrets !== undefined ? { LATCHKEY_SECRETS_PREFIX: secretsPrefix } : {};
    const queueEnvironment: Record<string, string> = props.webhookQueues
      ? { LATCHKEY_WEBHOOK_QUEUE_URL: props.webhookQueues.deliveries.queueUrl, LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL: props.webhookQueues.deadLetters.queueUrl }
      : {};
    const hubShadows = props.hubShadows ?? props.credentials !== undefined;
    if (hubShadows) {
      const hubThings = Stack.of(this).formatArn({ service: 'iot', resource: 'thing', resourceName: `${hubThingPrefix}*` });
      // A named shadow's ARN is the thing's with `/<shadow name>` after it.
      this.role.addToPolicy(new PolicyStatement({ actions: hubShadowActions, resources: [hubThings, `${hubThings}/*`] }));
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:thing/${hubThingPrefix}*]`,
        reason: 'Hubs are things created at run time by the operator CLI: the grant is scoped to their name prefix.',
      });
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:thing/${hubThingPrefix}*/*]`,
        reason: "One named shadow per lock of a hub, named by the hub's agent: the grant is scoped to the hubs' things.",
      });
    }

    const lifecycleEnvironment: Record<string, string> = props.lifecycle
      ? {
          LATCHKEY_JIT_LEAD_SECONDS: String(config.jitLeadSeconds),
          LATCHKEY_NATIVE_LEAD_HOURS: String(config.nativeLeadHours),
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
      bundling: props.credentials === undefined ? functionBundling : providerFunctionBundling,
      description: `Latchkey ${config.stage}: ${props.name}`,
      environment: {
        LATCHKEY_STORE: 'dynamodb',
        LATCHKEY_TABLE_NAME: table.tableName,
        ...(props.publishes && { LATCHKEY_EVENT_BUS_NAME: bus.eventBusName }),
        LOG_LEVEL: config.logLevel,
        POWERTOOLS_SERVICE_NAME: 'latchkey',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        NODE_OPTIONS: '--enable-source-maps',
        ...secretsEnvironment,
        ...queueEnvironment,
        ...followUpEnvironment,
        ...(hubShadows && { LATCHKEY_ZWAVE_HUBS: 'aws-iot' }),
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
