import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { skPrefix } from '../../lib/adapters/dynamodb-keys';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { eventSource } from '../../lib/adapters/eventbridge-publisher';
import { corsPolicy } from '../../lib/http/cors';
import { notFoundFunction, routes } from '../../lib/http/routes';
import { type LatchkeyConfig, removalPolicyOf } from '../config';
import { type FunctionQueues, LatchkeyFunction, type LatchkeyFunctionProps } from '../constructs/latchkey-function';
import { shardGroups } from '../../lib/adapters/dynamodb-table';
import { type JobDefinition, jobs, needsOf, type QueueName } from '../../lib/triggers';
import { ZwaveHubs } from '../constructs/zwave-hubs';
import { pascalCase, RoutesStack, routeGroups } from './route-stacks';
import { IotDataEndpoint } from '../constructs/iot-data-endpoint';
import { Monitoring } from '../constructs/monitoring';

/** One JSON line per request, with HTTP API's own variables (REST API ones are not all defined). */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface StatelessStackProps extends StackProps {
  readonly config: LatchkeyConfig;
  readonly table: ITable;
  readonly bus: IEventBus;
}

/**
 * Everything that can be replaced without losing data: the functions, the HTTP API and the
 * EventBridge rules that start lifecycle work.
 */
/** Jobs the dead-letter replay invokes as their trigger does: their function names, for the operator CLI. */
const replayFunctionOutputs: Partial<Record<string, { id: string; description: string }>> = {
  'zwave-hub-events': { id: 'HubEventsFunctionName', description: 'LATCHKEY_HUB_EVENTS_FUNCTION for dead-letters replay (HubEventsDeadLetters)' },
  'sync-connected-accounts': { id: 'AccountSyncFunctionName', description: 'LATCHKEY_ACCOUNT_SYNC_FUNCTION for dead-letters replay (AccountSyncDeadLetters)' },
};

export class StatelessStack extends Stack {
  readonly api: HttpApi;
  /** Every function, by its file name in functions/. */
  readonly functions: ReadonlyMap<string, LatchkeyFunction>;
  /** The stage's alarms, their topic and its dashboard. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, bus } = props;
    const removalPolicy = removalPolicyOf(config);
    // The account's own IoT data endpoint, which AWS documents for shadows (the generic
    // data-ats.iot.<region> name is not it): looked up once per deployment.
    const iotDataEndpoint = new IotDataEndpoint(this, 'IotDataEndpoint', { config }).url;
    const functions = new Map<string, LatchkeyFunction>();
    const addFunctionIn = (parent: Construct, name: string, options: Omit<LatchkeyFunctionProps, 'name' | 'config' | 'table' | 'bus' | 'queues'>) => {
      const fn = new LatchkeyFunction(parent, pascalCase(name), { name, config, table, bus, queues, iotDataEndpoint, ...options });
      functions.set(name, fn);
      return fn;
    };
    const addFunction = (name: string, options: Omit<LatchkeyFunctionProps, 'name' | 'config' | 'table' | 'bus' | 'queues'>) => addFunctionIn(this, name, options);
    /** Every dead-letter queue, by construct id: each has an alarm. */
    const deadLetterQueues = new Map<string, IQueue>();
    const deadLetterQueue = (queueId: string) => {
      const queue = new Queue(this, queueId, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
      });
      deadLetterQueues.set(queueId, queue);
      return queue;
    };

    // Follow-ups: a code's next engine step runs when it falls due, from a message delayed up
    // to 15 minutes, instead of at the poller's next tick; the poller stays the safety net.
    const followUpDeadLetters = deadLetterQueue('FollowUpDeadLetters');
    const followUps = new Queue(this, 'FollowUps', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the follow-up function's timeout, as Lambda's SQS event source asks.
      visibilityTimeout: Duration.seconds(360),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: followUpDeadLetters, maxReceiveCount: 3 },
      removalPolicy,
    });
    // Webhooks out: every event on the bus is fanned out to a queue of deliveries, one per
    // webhook that wants it; the delivery function signs and sends them, and puts failures back
    // on the queue with a delay (the retry schedule in lib/webhooks/deliver.ts). A delivery past
    // its last retry, or a message the function cannot handle five times, lands in the dead
    // letters. Signing secrets live in Secrets Manager, encrypted with its KMS key.
    const webhookDeadLetters = deadLetterQueue('WebhookDeadLetters');
    const webhookDeliveries = new Queue(this, 'WebhookDeliveries', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the delivery function's timeout, as Lambda's SQS event source asks.
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: webhookDeadLetters, maxReceiveCount: 5 },
      removalPolicy,
    });
    const queues: FunctionQueues = { followUps, webhookDeliveries, webhookDeadLetters };
    const queueOf: Record<QueueName, IQueue> = { followUps, webhookDeliveries };
    // The outbox's relay: every event item the table stores reaches the bus at least once,
    // whatever happened to the function that committed it. A batch that fails is retried from
    // its first unpublished event; one still failing after 23 hours (the stream keeps records
    // 24) goes to the dead letters by position, and its events stay in the table for 90 days.
    const publisherFailures = deadLetterQueue('PublisherFailures');
    Validations.of(publisherFailures).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: "It is a dead-letter queue: the stream relay's on-failure destination, which cdk-nag does not recognise as one.",
    });

    // HTTP API: API Gateway routes every path of the contract with ANY, so that the handler,
    // not API Gateway, answers an unsupported verb with a Seam-shaped 405.
    // The not-found handler answers before authentication and never reads the table.
    const notFound = addFunction(notFoundFunction, { needs: needsOf(notFoundFunction) });
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `latchkey-${config.stage}`,
      description: `Latchkey ${config.stage}: Seam-compatible access codes API`,
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('NotFoundIntegration', notFound.lambda),
      // API Gateway answers preflights and adds the headers itself, as the local server does.
      ...(config.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: config.corsOrigins,
          allowHeaders: [...corsPolicy.allowHeaders],
          allowMethods: corsPolicy.allowMethods.map((m) => CorsHttpMethod[m]),
          exposeHeaders: [...corsPolicy.exposeHeaders],
          allowCredentials: true,
          maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
        },
      }),
    });
    // Headroom: each family of routes is a nested stack of its own (CloudFormation counts a
    // nested stack's resources apart), so the API can grow by whole families.
    for (const group of routeGroups(routes)) {
      new RoutesStack(this, group.id, { api: this.api, routes: group.routes, addFunction: addFunctionIn, description: `Latchkey ${config.stage}: ${group.id}` });
    }
    // Under /aws/vendedlogs/, API Gateway delivers without a log resource policy: no stage adds to the account's 5,120 characters of them.
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { logGroupName: `/aws/vendedlogs/apigateway/latchkey-${config.stage}`, retention: config.logRetentionDays, removalPolicy });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason: 'Authentication is in the handler middleware: Seam API keys checked against hashed keys in the table.',
    });

    const pollInterval = Duration.minutes(config.pollRateMinutes);
    const wireTrigger = (job: JobDefinition, fn: LatchkeyFunction, deadLetters: IQueue | undefined) => {
      const trigger = job.trigger;
      const target = (retryAttempts: number, maxEventAge: Duration, event?: RuleTargetInput) =>
        new LambdaFunction(fn.lambda, { retryAttempts, maxEventAge, ...(deadLetters && { deadLetterQueue: deadLetters }), ...(event && { event }) });
      switch (trigger.kind) {
        case 'schedule': {
          const interval = trigger.every === 'poll' ? pollInterval : Duration.days(1);
          const maxEventAge = trigger.maxEventAgeSeconds === undefined ? interval : Duration.seconds(trigger.maxEventAgeSeconds);
          // Fan-out: each target sweeps its own group of due-index shards, in parallel invocations.
          const targets =
            trigger.fanOut === undefined
              ? [target(trigger.retryAttempts, maxEventAge)]
              : shardGroups(trigger.fanOut).map((shards) => target(trigger.retryAttempts, maxEventAge, RuleTargetInput.fromObject({ shards })));
          new Rule(this, trigger.rule, { description: `Latchkey ${config.stage}: ${trigger.description}`, schedule: Schedule.rate(interval), targets });
          return;
        }
        case 'bus':
          new Rule(this, trigger.rule, {
            description: `Latchkey ${config.stage}: ${trigger.description}`,
            eventBus: bus,
            eventPattern: { source: [eventSource], ...(trigger.detailTypes && { detailType: [...trigger.detailTypes] }) },
            targets: [target(trigger.retryAttempts, Duration.seconds(trigger.maxEventAgeSeconds))],
          });
          return;
        case 'queue':
          fn.lambda.addEventSource(
            new SqsEventSource(queueOf[trigger.queue], { batchSize: trigger.batchSize, reportBatchItemFailures: true, ...(trigger.maxConcurrency && { maxConcurrency: trigger.maxConcurrency }) }),
          );
          return;
        case 'stream':
          fn.lambda.addEventSource(
            new DynamoEventSource(table, {
              startingPosition: StartingPosition.TRIM_HORIZON,
              batchSize: trigger.batchSize,
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              maxRecordAge: Duration.seconds(trigger.maxRecordAgeSeconds),
              onFailure: new SqsDlq(publisherFailures),
              filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { Keys: { sk: { S: FilterRule.beginsWith(skPrefix.event) } } } })],
            }),
          );
          return;
        case 'iot':
          // Z-Wave hubs: their IoT policy, and the rules that bring their locks' reports to the engine.
          deadLetterQueues.set('UndeliveredHubMessages', new ZwaveHubs(this, 'ZwaveHubs', { stage: config.stage, hubEvents: fn, removalPolicy }).undelivered);
          return;
      }
    };
    for (const job of jobs) {
      const failures = job.asyncFailures;
      const deadLetters = failures && deadLetterQueue(failures.deadLetters);
      const fn = addFunction(job.fn, {
        needs: job.needs,
        timeout: Duration.seconds(job.timeoutSeconds),
        ...(failures &&
          deadLetters && {
            asyncFailures: {
              deadLetterQueue: deadLetters,
              retryAttempts: failures.retryAttempts,
              maxEventAge: failures.maxEventAgeSeconds === undefined ? pollInterval : Duration.seconds(failures.maxEventAgeSeconds),
            },
          }),
      });
      wireTrigger(job, fn, deadLetters);
      const replayOutput = replayFunctionOutputs[job.fn];
      if (replayOutput) new CfnOutput(this, replayOutput.id, { value: fn.lambda.functionName, description: replayOutput.description });
    }
    new CfnOutput(this, 'WebhookDeadLetterQueueUrl', {
      value: webhookDeadLetters.queueUrl,
      description: 'Webhook deliveries given up (also: npm run latchkey -- webhooks failed --workspace ID)',
    });

    new CfnOutput(this, 'SecretsPrefix', {
      value: `latchkey/${config.stage}/`,
      description: "LATCHKEY_SECRETS_PREFIX for the operator CLI: where connected accounts' credentials live in Secrets Manager",
    });

    this.functions = functions;
    const relay = functions.get(jobs.find((job) => job.trigger.kind === 'stream')?.fn ?? '');
    if (relay === undefined) throw new Error('The trigger table has no stream relay');
    this.monitoring = new Monitoring(this, 'Monitoring', { config, functions, deadLetterQueues, relay, api: this.api, webhookDeliveries });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: "The stage's alarms: subscribe more addresses or a pager here" });
    new CfnOutput(this, 'DashboardName', { value: `latchkey-${config.stage}`, description: "The stage's CloudWatch dashboard" });
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'endpoint for the Seam SDK' });
  }
}
