import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { skPrefix } from '../../lib/adapters/dynamodb-keys';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { eventSource } from '../../lib/adapters/eventbridge-publisher';
import { type AccessCodeEventType, workStartingEventTypes } from '../../lib/events/schemas';
import { corsPolicy } from '../../lib/http/cors';
import { notFoundFunction, routes } from '../../lib/http/routes';
import { type LatchkeyConfig, removalPolicyOf } from '../config';
import { LatchkeyFunction, type LatchkeyFunctionProps } from '../constructs/latchkey-function';
import { shardGroups } from '../../lib/adapters/dynamodb-table';
import { accountSyncFunction, followUpFunction, hubEventsFunction, pollerFunction, publisherFunction, webhookDeliveryFunction, webhookFanOutFunction, workerFunction } from '../functions';
import { ZwaveHubs } from '../constructs/zwave-hubs';

/** The events that mean a code must be (re)programmed on its lock. */
export const accessCodeDetailTypes: AccessCodeEventType[] = [...workStartingEventTypes];

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

/** `access-codes-create` → `AccessCodesCreate`, for construct ids. */
const pascalCase = (name: string) =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

export interface StatelessStackProps extends StackProps {
  readonly config: LatchkeyConfig;
  readonly table: ITable;
  readonly bus: IEventBus;
}

/**
 * Everything that can be replaced without losing data: the functions, the HTTP API and the
 * EventBridge rules that start lifecycle work.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  /** Every function, by its file name in functions/. */
  readonly functions: ReadonlyMap<string, LatchkeyFunction>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, bus } = props;
    const removalPolicy = removalPolicyOf(config);
    const functions = new Map<string, LatchkeyFunction>();
    const addFunction = (name: string, options: Omit<LatchkeyFunctionProps, 'name' | 'config' | 'table' | 'bus'>) => {
      const fn = new LatchkeyFunction(this, pascalCase(name), { name, config, table, bus, ...options });
      functions.set(name, fn);
      return fn;
    };
    const deadLetterQueue = (queueId: string) =>
      new Queue(this, queueId, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy,
      });

    // HTTP API: API Gateway routes every path of the contract with ANY, so that the handler,
    // not API Gateway, answers an unsupported verb with a Seam-shaped 405.
    // The not-found handler answers before authentication and never reads the table.
    const notFound = addFunction(notFoundFunction, { access: 'none', lifecycle: false });
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
    for (const route of routes) {
      const fn = addFunction(route.fn, {
        access: route.writes ? 'readWrite' : 'read',
        lifecycle: route.writes,
        ...('credentials' in route && { credentials: route.credentials }),
        ...('webhookSecrets' in route && { webhookSecrets: route.webhookSecrets }),
      });
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod.ANY],
        integration: new HttpLambdaIntegration(`${pascalCase(route.fn)}Integration`, fn.lambda),
      });
    }
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: config.logRetentionDays, removalPolicy });
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

    /** Poller invocations per tick (an EventBridge rule takes at most five targets). */
    const pollerFanOut = 4;
    // The scheduled poller: finds codes whose lifecycle work is due. A failed poll is not
    // retried by Lambda: the next tick is the retry, and the dead letter records the failure.
    const pollInterval = Duration.minutes(config.pollRateMinutes);
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
    const followUpRunner = addFunction(followUpFunction, { access: 'readWrite', lifecycle: true, credentials: 'read', followUps, timeout: Duration.seconds(60) });
    followUpRunner.lambda.addEventSource(new SqsEventSource(followUps, { batchSize: 10, reportBatchItemFailures: true }));

    const pollerDeadLetters = deadLetterQueue('PollerDeadLetters');
    const poller = addFunction(pollerFunction, {
      access: 'readWrite',
      lifecycle: true,
      followUps,
      credentials: 'read',
      timeout: Duration.seconds(55),
      asyncFailures: { deadLetterQueue: pollerDeadLetters, retryAttempts: 0, maxEventAge: pollInterval },
    });
    new Rule(this, 'PollSchedule', {
      description: `Latchkey ${config.stage}: poll for due access-code work`,
      schedule: Schedule.rate(pollInterval),
      // Fan-out: each target sweeps its own group of due-index shards, in parallel invocations.
      targets: shardGroups(pollerFanOut).map(
        (shards) =>
          new LambdaFunction(poller.lambda, {
            event: RuleTargetInput.fromObject({ shards }),
            retryAttempts: 2,
            maxEventAge: pollInterval,
            deadLetterQueue: pollerDeadLetters,
          }),
      ),
    });

    // The worker: programs a code on its lock as soon as it is created, changed or deleted.
    const workerDeadLetters = deadLetterQueue('WorkerDeadLetters');
    const worker = addFunction(workerFunction, {
      access: 'readWrite',
      lifecycle: true,
      followUps,
      credentials: 'read',
      timeout: Duration.seconds(60),
      asyncFailures: { deadLetterQueue: workerDeadLetters, retryAttempts: 2, maxEventAge: Duration.hours(1) },
    });
    new Rule(this, 'AccessCodeChanges', {
      description: `Latchkey ${config.stage}: program changed access codes at once`,
      eventBus: bus,
      eventPattern: { source: [eventSource], detailType: accessCodeDetailTypes },
      targets: [
        new LambdaFunction(worker.lambda, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: workerDeadLetters,
        }),
      ],
    });

    // Once a day every connected account's devices are synced with its provider, so that a
    // missed webhook leaves a lock's name, online state or presence stale for a day at most.
    const accountSyncDeadLetters = deadLetterQueue('AccountSyncDeadLetters');
    const accountSync = addFunction(accountSyncFunction, {
      access: 'readWrite',
      lifecycle: false,
      credentials: 'read',
      timeout: Duration.minutes(5),
      asyncFailures: { deadLetterQueue: accountSyncDeadLetters, retryAttempts: 2, maxEventAge: Duration.hours(6) },
    });
    new Rule(this, 'AccountSyncSchedule', {
      description: `Latchkey ${config.stage}: sync connected accounts' devices daily`,
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunction(accountSync.lambda, { retryAttempts: 2, maxEventAge: Duration.hours(6), deadLetterQueue: accountSyncDeadLetters })],
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
    const webhookQueues = { deliveries: webhookDeliveries, deadLetters: webhookDeadLetters };
    const fanOutDeadLetters = deadLetterQueue('WebhookFanOutDeadLetters');
    const fanOut = addFunction(webhookFanOutFunction, {
      access: 'readWrite',
      lifecycle: false,
      timeout: Duration.seconds(30),
      webhookQueues,
      asyncFailures: { deadLetterQueue: fanOutDeadLetters, retryAttempts: 2, maxEventAge: Duration.hours(6) },
    });
    new Rule(this, 'WebhookFanOut', {
      description: `Latchkey ${config.stage}: deliver every event to the workspace's webhooks`,
      eventBus: bus,
      eventPattern: { source: [eventSource] },
      targets: [new LambdaFunction(fanOut.lambda, { retryAttempts: 4, maxEventAge: Duration.hours(6), deadLetterQueue: fanOutDeadLetters })],
    });
    const deliver = addFunction(webhookDeliveryFunction, {
      access: 'readWrite',
      lifecycle: false,
      timeout: Duration.seconds(30),
      webhookSecrets: 'read',
      webhookQueues,
    });
    deliver.lambda.addEventSource(new SqsEventSource(webhookDeliveries, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 50 }));
    new CfnOutput(this, 'WebhookDeadLetterQueueUrl', {
      value: webhookDeadLetters.queueUrl,
      description: 'Webhook deliveries given up (also: npm run latchkey -- webhooks failed --workspace ID)',
    });
    // Z-Wave hubs: their IoT policy, and the rules that bring their locks' reports to the engine.
    // IoT Core invokes it asynchronously: what Lambda's retries cannot deliver is kept.
    const hubEventsDeadLetters = deadLetterQueue('HubEventsDeadLetters');
    const hubEvents = addFunction(hubEventsFunction, {
      access: 'readWrite',
      lifecycle: true,
      hubShadows: true,
      timeout: Duration.seconds(30),
      asyncFailures: { deadLetterQueue: hubEventsDeadLetters, retryAttempts: 2, maxEventAge: Duration.hours(1) },
    });
    new ZwaveHubs(this, 'ZwaveHubs', { stage: config.stage, hubEvents, removalPolicy });

    new CfnOutput(this, 'SecretsPrefix', {
      value: `latchkey/${config.stage}/`,
      description: "LATCHKEY_SECRETS_PREFIX for the operator CLI: where connected accounts' credentials live in Secrets Manager",
    });

    // The outbox's relay: every event item the table stores reaches the bus at least once,
    // whatever happened to the function that committed it. A batch that fails is retried from
    // its first unpublished event; one still failing after 23 hours (the stream keeps records
    // 24) goes to the dead letters by position, and its events stay in the table for 90 days.
    const publisherFailures = deadLetterQueue('PublisherFailures');
    Validations.of(publisherFailures).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: "It is a dead-letter queue: the stream relay's on-failure destination, which cdk-nag does not recognise as one.",
    });
    const publisher = addFunction(publisherFunction, { access: 'none', lifecycle: false, publishes: true, timeout: Duration.seconds(60) });
    publisher.lambda.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.hours(23),
        onFailure: new SqsDlq(publisherFailures),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { Keys: { sk: { S: FilterRule.beginsWith(skPrefix.event) } } } })],
      }),
    );

    this.functions = functions;
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'endpoint for the Seam SDK' });
  }
}
