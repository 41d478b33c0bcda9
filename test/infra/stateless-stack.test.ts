import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { hubShadowActions, readActions, writeActions } from '../../infra/constructs/latchkey-function';
import {
  accountSyncFunction,
  followUpFunction,
  functionNames,
  hubEventsFunction,
  webhookReleaseFunction,
  pollerFunction,
  projectRoot,
  publisherFunction,
  webhookDeliveryFunction,
  webhookFanOutFunction,
  workerFunction,
} from '../../infra/functions';
import { tableDefinition } from '../../lib/adapters/dynamodb-table';
import { notFoundFunction, type RouteDefinition, routes } from '../../lib/http/routes';
import { idempotencyLeaseMs } from '../../lib/idempotency/schemas';
import { functionNeeds } from '../../lib/triggers';
import { importOf, logicalIdOf, synthLatchkey } from './latchkey-app';

const { latchkey, stateful, stateless } = synthLatchkey();
const resources = z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })).parse(stateless.toJSON().Resources);

const tableArn = importOf(stateful, { 'Fn::GetAtt': [logicalIdOf(stateful, 'AWS::DynamoDB::Table', {}), 'Arn'] });
const tableName = importOf(stateful, { Ref: logicalIdOf(stateful, 'AWS::DynamoDB::Table', {}) });
const busArn = importOf(stateful, { 'Fn::GetAtt': [logicalIdOf(stateful, 'AWS::Events::EventBus', {}), 'Arn'] });
const busName = importOf(stateful, { Ref: logicalIdOf(stateful, 'AWS::Events::EventBus', {}) });
const indexArns = tableDefinition.globalSecondaryIndexes.map((index) => ({
  'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]],
}));
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** The logical id of a construct of the stateless stack, by its construct id. */
function childId(id: string): string {
  const cfn = latchkey.stateless.node.findChild(id).node.defaultChild;
  if (!(cfn instanceof CfnElement)) throw new Error(`${id} has no CloudFormation resource`);
  return latchkey.stateless.getLogicalId(cfn);
}

/** The logical id of a function, by its file name in functions/. */
function functionId(name: string): string {
  const cfn = latchkey.stateless.functions.get(name)?.lambda.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) throw new Error(`No function ${name}`);
  return latchkey.stateless.getLogicalId(cfn);
}

const functionSchema = z.object({
  Role: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
  LoggingConfig: z.object({ LogGroup: z.object({ Ref: z.string() }) }),
});
const policySchema = z.object({
  PolicyDocument: z.object({ Statement: z.array(z.object({ Action: z.unknown(), Resource: z.unknown() }).loose()) }),
});

/** Every statement of every policy attached to a function's role. */
function statementsOf(name: string) {
  const fn = functionSchema.parse(resources[functionId(name)]?.Properties);
  const roleId = fn.Role['Fn::GetAtt'][0];
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return {
    logGroupId: fn.LoggingConfig.LogGroup.Ref,
    roleId,
    statements: Object.values(policies)
      .flatMap((p) => policySchema.parse(p.Properties).PolicyDocument.Statement)
      .flatMap(perQueue)
      .map(canonical),
  };
}

/** A SendMessage grant split per queue: CDK merges one function's grants on several queues (follow-ups, its dead letters) into one statement. */
const perQueue = <T extends { Action: unknown; Resource: unknown }>(statement: T): T[] =>
  statement.Action === 'sqs:SendMessage' && Array.isArray(statement.Resource) ? statement.Resource.map((resource: unknown) => ({ ...statement, Resource: resource })) : [statement];

/** A statement with its actions and resources in a canonical order (CDK sorts them when minimizing policies). */
const canonical = <T extends { Action: unknown; Resource: unknown }>(statement: T): T => {
  const sorted = (value: unknown) => (Array.isArray(value) ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : value);
  return { ...statement, Action: sorted(statement.Action), Resource: sorted(statement.Resource) };
};
const allow = (actions: string[] | string, resource: unknown) => canonical({ Action: actions, Effect: 'Allow', Resource: resource });
const xray = allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*');
const readStatement = allow(readActions, [tableArn, ...indexArns]);
const writeStatement = allow(writeActions, tableArn);
const putEvents = allow('events:PutEvents', busArn);
/** CDK merges the relay's ListStreams (no resource-level permissions either) into the X-Ray statement. */
const xrayAndListStreams = allow(['dynamodb:ListStreams', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*');

/** The dead-letter queue of each asynchronously invoked function, which it may send to. */
const deadLettersOf: Record<string, string> = {
  [pollerFunction]: 'PollerDeadLetters',
  [workerFunction]: 'WorkerDeadLetters',
  [accountSyncFunction]: 'AccountSyncDeadLetters',
  [hubEventsFunction]: 'HubEventsDeadLetters',
};

/** Seconds; HTTP functions get 15, under API Gateway's 30. */
const timeoutOf: Record<string, number> = {
  [pollerFunction]: 55,
  [workerFunction]: 60,
  [accountSyncFunction]: 300,
  [publisherFunction]: 60,
  [webhookFanOutFunction]: 30,
  [webhookDeliveryFunction]: 30,
  [followUpFunction]: 60,
  [hubEventsFunction]: 30,
  [webhookReleaseFunction]: 55,
};

/** The connected accounts' secrets, one per account under the stage's prefix. */
const accountSecrets = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:latchkey/dev/connected-accounts/*']],
};
/** Functions that call lock providers, and what they may do with the accounts' secrets. */
const credentialsOf: Record<string, string[]> = {
  ...Object.fromEntries(
    routes.flatMap((r) => ('credentials' in r ? [[r.fn, r.credentials === 'readWrite' ? ['secretsmanager:DeleteSecret', 'secretsmanager:GetSecretValue'] : 'secretsmanager:GetSecretValue']] : [])),
  ),
  [pollerFunction]: ['secretsmanager:GetSecretValue'],
  [workerFunction]: ['secretsmanager:GetSecretValue'],
  [accountSyncFunction]: ['secretsmanager:GetSecretValue'],
  [followUpFunction]: ['secretsmanager:GetSecretValue'],
};
/** The webhooks' signing secrets, one per webhook under the stage's prefix. */
const webhookSecrets = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:latchkey/dev/webhooks/*']],
};
/** Functions that sign webhooks or manage their secrets, and what they may do with them. */
const webhookSecretsOf: Record<string, string[]> = {
  ...Object.fromEntries(
    routes.flatMap((r) =>
      'webhookSecrets' in r
        ? [
            [
              r.fn,
              r.webhookSecrets === 'readWrite'
                ? ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']
                : ['secretsmanager:GetSecretValue'],
            ],
          ]
        : [],
    ),
  ),
  [webhookDeliveryFunction]: ['secretsmanager:GetSecretValue'],
};
const providerStatementsOf = (name: string) => {
  const actions = credentialsOf[name];
  const signing = webhookSecretsOf[name];
  return [
    ...(actions === undefined ? [] : [allow(actions.length === 1 ? (actions[0] ?? '') : actions, accountSecrets)]),
    ...(signing === undefined ? [] : [allow(signing.length === 1 ? (signing[0] ?? '') : signing, webhookSecrets)]),
    ...hubShadowStatementOf(name),
  ];
};

/** Z-Wave hubs' things and their lock shadows, which functions that call providers read and write. */
const hubThingArn = (suffix: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:thing/latchkey-dev-hub-*${suffix}`]],
});
function hubShadowStatementOf(name: string) {
  if (credentialsOf[name] === undefined && name !== hubEventsFunction) return [];
  return [allow([...hubShadowActions], [hubThingArn(''), hubThingArn('/*')])];
}

const tableless = routes.filter((r: RouteDefinition) => r.readsTable === false).map((r) => r.fn);
const readers = routes.filter((r: RouteDefinition) => !r.writes && r.readsTable !== false).map((r) => r.fn);
const writers = [...routes.filter((r) => r.writes).map((r) => r.fn), pollerFunction, workerFunction, hubEventsFunction];

test('every handler in functions/ is deployed, and nothing else', () => {
  const files = fs
    .readdirSync(path.join(projectRoot, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.replace(/\.ts$/, ''));
  expect([...functionNames].sort()).toEqual(files.sort());
  expect([...latchkey.stateless.functions.keys()].sort()).toEqual(files.sort());
});

test('every write route times out within the lease of its Idempotency-Key, so a key is never taken over from a request still running', () => {
  for (const route of routes.filter((r) => r.writes)) {
    expect({ fn: route.fn, timeout: resources[functionId(route.fn)]?.Properties?.Timeout }).toEqual({ fn: route.fn, timeout: expect.any(Number) });
    expect(Number(resources[functionId(route.fn)]?.Properties?.Timeout)).toBeLessThan(idempotencyLeaseMs / 1000);
  }
});

describe.each(functionNames)('function %s', (name) => {
  test('runs Node.js 24 on arm64 with tracing, from an ESM bundle', () => {
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Description: `Latchkey dev: ${name}`,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: timeoutOf[name] ?? 15,
      TracingConfig: { Mode: 'Active' },
    });
    expect(resources[functionId(name)]?.Properties).toMatchObject({ Description: `Latchkey dev: ${name}` });
  });

  test('logs to its own log group, kept 30 days', () => {
    const { logGroupId } = statementsOf(name);
    expect(resources[logGroupId]).toEqual({ Type: 'AWS::Logs::LogGroup', Properties: expect.objectContaining({ RetentionInDays: 30 }) });
  });

  test('has the environment every function gets', () => {
    expect(resources[functionId(name)]?.Properties).toMatchObject({
      Environment: {
        Variables: {
          LATCHKEY_STORE: 'dynamodb',
          LATCHKEY_TABLE_NAME: tableName,
          LOG_LEVEL: 'INFO',
          POWERTOOLS_SERVICE_NAME: 'latchkey',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  test('has a role with no managed policies, allowed to write only its own logs', () => {
    const { roleId, logGroupId, statements } = statementsOf(name);
    expect(resources[roleId]?.Properties).not.toHaveProperty('ManagedPolicyArns');
    expect(statements).toContainEqual(allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)));
  });

  test('uses a wildcard resource only for X-Ray (and the relay for ListStreams), which have no resource-level permissions', () => {
    const wildcards = statementsOf(name).statements.filter((s) => JSON.stringify(s.Resource).includes('*'));
    expect(wildcards).toEqual(expect.arrayContaining([name === publisherFunction ? xrayAndListStreams : xray, ...providerStatementsOf(name)]));
    expect(wildcards).toHaveLength(1 + providerStatementsOf(name).length);
  });

  test(name === publisherFunction ? 'alone knows the bus' : 'does not know the bus: it stores events and the relay publishes them', () => {
    const properties = resources[functionId(name)]?.Properties;
    if (name === publisherFunction) expect(properties).toMatchObject({ Environment: { Variables: { LATCHKEY_EVENT_BUS_NAME: busName } } });
    else expect(properties).not.toHaveProperty(['Environment', 'Variables', 'LATCHKEY_EVENT_BUS_NAME']);
  });

  test("reads provider credentials, from its stage's prefix, only if it calls providers", () => {
    const variables = z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }).parse(resources[functionId(name)]?.Properties).Environment.Variables;
    if (credentialsOf[name] === undefined && webhookSecretsOf[name] === undefined) expect(variables).not.toHaveProperty('LATCHKEY_SECRETS_PREFIX');
    else expect(variables).toMatchObject({ LATCHKEY_SECRETS_PREFIX: 'latchkey/dev/' });
  });
});

describe.each(tableless)('function %s, which answers without the table', (name) => {
  test('may write its logs and traces, and nothing more', () => {
    const { logGroupId, statements } = statementsOf(name);
    const expected = [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)), xray];
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(statements));
  });
});

describe.each(readers)('read-only function %s', (name) => {
  test('may read the table and its indexes, and nothing more', () => {
    const { logGroupId, statements } = statementsOf(name);
    const expected = [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)), readStatement, ...providerStatementsOf(name), xray];
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(statements));
  });

  test('gets no lifecycle settings', () => {
    expect(resources[functionId(name)]?.Properties).not.toHaveProperty(['Environment', 'Variables', 'LATCHKEY_JIT_LEAD_SECONDS']);
  });
});

/** The functions that take engine steps, and so schedule follow-ups: the poller, the worker, the follow-up runner, and those that take a lock's reports (Seam webhooks, Z-Wave hub events). */
const runsEngine = [...functionNeeds].filter(([, needs]) => needs.followUps).map(([name]) => name);
const sendsFollowUps = allow('sqs:SendMessage', getAtt(childId('FollowUps')));

describe('follow-ups', () => {
  test("run each code's next step from a delayed message, with failures reported per message", () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(followUpFunction) },
      EventSourceArn: getAtt(childId('FollowUps')),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(resources[childId('FollowUps')]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: getAtt(childId('FollowUpDeadLetters')), maxReceiveCount: 3 },
    });
  });

  test.each(runsEngine.filter((name) => name !== followUpFunction))('%s may schedule follow-ups and knows the queue', (name) => {
    expect(statementsOf(name).statements).toContainEqual(sendsFollowUps);
    expect(resources[functionId(name)]?.Properties).toMatchObject({ Environment: { Variables: { LATCHKEY_FOLLOW_UP_QUEUE_URL: { Ref: childId('FollowUps') } } } });
  });

  test('the follow-up runner schedules the next ones on its own queue', () => {
    expect(resources[functionId(followUpFunction)]?.Properties).toMatchObject({ Environment: { Variables: { LATCHKEY_FOLLOW_UP_QUEUE_URL: { Ref: childId('FollowUps') } } } });
  });

  test('the follow-up runner may read and write the table, read credentials and take messages, and nothing more', () => {
    const { logGroupId, statements } = statementsOf(followUpFunction);
    const expected = [
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)),
      readStatement,
      writeStatement,
      // Takes its messages and schedules the next ones: CDK merges both grants on the queue.
      allow(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'], getAtt(childId('FollowUps'))),
      ...providerStatementsOf(followUpFunction),
      xray,
    ];
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(statements));
  });
});

describe.each(writers)('writing function %s', (name) => {
  test('may read and write the table, and nothing more', () => {
    const { logGroupId, statements } = statementsOf(name);
    const deadLetters = deadLettersOf[name];
    const queues = deadLetters ? [allow('sqs:SendMessage', getAtt(childId(deadLetters)))] : [];
    const followUps = runsEngine.includes(name) ? [sendsFollowUps] : [];
    const expected = [...followUps, allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)), readStatement, writeStatement, ...queues, ...providerStatementsOf(name), xray];
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(statements));
  });

  test('gets the lifecycle settings', () => {
    expect(resources[functionId(name)]?.Properties).toMatchObject({
      Environment: {
        Variables: {
          LATCHKEY_JIT_LEAD_SECONDS: '3600',
          LATCHKEY_NATIVE_LEAD_HOURS: '72',
          LATCHKEY_RECURRING_LEAD_SECONDS: '120',
          LATCHKEY_SANDBOX_LATENCY_MS: '2000',
          LATCHKEY_CODE_HISTORY_DAYS: '30',
        },
      },
    });
  });
});

test('the daily account sync may read and write the table, read credentials and dead-letter, and runs once a day', () => {
  const { logGroupId, statements } = statementsOf(accountSyncFunction);
  const expected = [
    allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)),
    readStatement,
    writeStatement,
    allow('sqs:SendMessage', getAtt(childId('AccountSyncDeadLetters'))),
    ...providerStatementsOf(accountSyncFunction),
    xray,
  ];
  expect(statements).toEqual(expect.arrayContaining(expected));
  expect(expected).toEqual(expect.arrayContaining(statements));
  stateless.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(1 day)',
    Targets: [Match.objectLike({ Arn: getAtt(functionId(accountSyncFunction)), DeadLetterConfig: { Arn: getAtt(childId('AccountSyncDeadLetters')) } })],
  });
});

test('the not-found function, which answers before authentication, may not touch the table', () => {
  const { logGroupId, statements } = statementsOf(notFoundFunction);
  const expected = [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)), xray];
  expect(statements).toEqual(expect.arrayContaining(expected));
  expect(expected).toEqual(expect.arrayContaining(statements));
});

describe('the HTTP API', () => {
  const apiId = logicalIdOf(stateless, 'AWS::ApiGatewayV2::Api', {});
  const integrationOf = (name: string) =>
    logicalIdOf(stateless, 'AWS::ApiGatewayV2::Integration', {
      IntegrationUri: getAtt(functionId(name)),
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });

  test('has a route for every path of the contract and $default, nothing else', () => {
    const routeKeys = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route')).map((r) => z.object({ RouteKey: z.string() }).parse(r.Properties).RouteKey);
    expect(routeKeys.sort()).toEqual([...routes.map((r) => `ANY ${r.path}`), '$default'].sort());
  });

  test.each(routes)('routes every verb of $path to $fn, which answers 405 itself', (route) => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: `ANY ${route.path}`,
      AuthorizationType: 'NONE',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationOf(route.fn) }]] },
    });
    stateless.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(functionId(route.fn)),
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }, `/*/*${route.path}`])] },
    });
  });

  test('sends every other path to the not-found function', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationOf(notFoundFunction) }]] },
    });
  });

  test('has no authorizer: API keys are checked in the handler middleware', () => {
    stateless.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  test('deploys to the $default stage with throttling and JSON access logs', () => {
    const accessLogsId = childId('ApiAccessLogs');
    // Under /aws/vendedlogs/: no log resource policy, so stages do not fill the account's one.
    expect(resources[accessLogsId]?.Properties).toMatchObject({ RetentionInDays: 30, LogGroupName: '/aws/vendedlogs/apigateway/latchkey-dev' });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: getAtt(accessLogsId),
        Format: Match.serializedJson(Match.objectLike({ requestId: '$context.requestId', status: '$context.status' })),
      },
    });
  });

  test('names the functions the dead-letter replay invokes as outputs', () => {
    stateless.hasOutput('HubEventsFunctionName', { Value: { Ref: functionId('zwave-hub-events') } });
    stateless.hasOutput('AccountSyncFunctionName', { Value: { Ref: functionId('sync-connected-accounts') } });
  });

  test('has its URL as an output', () => {
    stateless.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: apiId }])] },
    });
  });
});

describe('the poll schedule', () => {
  const pollerId = () => functionId(pollerFunction);

  test('invokes the poller every minute in four parallel shard groups, retrying delivery, with a dead-letter queue', () => {
    const ruleId = logicalIdOf(stateless, 'AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Description: 'Latchkey dev: poll for due access-code work' });
    const target = (shards: number[]) => ({
      Arn: getAtt(pollerId()),
      Input: JSON.stringify({ shards }),
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: getAtt(childId('PollerDeadLetters')) },
    });
    expect(resources[ruleId]?.Properties).toMatchObject({
      State: 'ENABLED',
      Targets: [target([0, 4, 8, 12]), target([1, 5, 9, 13]), target([2, 6, 10, 14]), target([3, 7, 11, 15])],
    });
    stateless.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(pollerId()),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(ruleId),
    });
  });

  test('invokes the release of parked webhook deliveries every minute', () => {
    const ruleId = logicalIdOf(stateless, 'AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Description: 'Latchkey dev: put parked webhook deliveries back on their queue when due' });
    expect(resources[ruleId]?.Properties?.Targets).toEqual([expect.objectContaining({ Arn: getAtt(functionId(webhookReleaseFunction)) })]);
  });

  test('sends a failed poll to the dead-letter queue without a Lambda retry: the next tick is the retry', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: pollerId() },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    expect(resources[pollerId()]?.Properties).toMatchObject({
      DeadLetterConfig: { TargetArn: getAtt(childId('PollerDeadLetters')) },
      Timeout: 55,
    });
  });
});

describe('the access-code rule', () => {
  const workerId = () => functionId(workerFunction);

  test('sends access_code.created, .changed and .deleted from the custom bus to the worker at once', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busName,
      EventPattern: {
        source: ['latchkey'],
        'detail-type': ['access_code.created', 'access_code.changed', 'access_code.deleted'],
      },
      State: 'ENABLED',
      Targets: [
        {
          Arn: getAtt(workerId()),
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: getAtt(childId('WorkerDeadLetters')) },
        },
      ],
    });
  });

  test('retries a failed worker run twice, then dead-letters the event', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: workerId() },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    expect(resources[workerId()]?.Properties).toMatchObject({
      DeadLetterConfig: { TargetArn: getAtt(childId('WorkerDeadLetters')) },
    });
  });
});

test('keeps logs and dead letters when the stack is deleted, by default', () => {
  stateless.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  stateless.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
});

describe('the outbox relay (publish-events)', () => {
  const streamArn = importOf(stateful, { 'Fn::GetAtt': [logicalIdOf(stateful, 'AWS::DynamoDB::Table', {}), 'StreamArn'] });

  test("reads the table's stream: new event items only, from the oldest, failures reported per record", () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(publisherFunction) },
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 23 * 3600,
      DestinationConfig: { OnFailure: { Destination: getAtt(childId('PublisherFailures')) } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'EVENT#' }] } } } }) }] },
    });
  });

  test('may read the stream, put events on the bus and record failed batches, and nothing more', () => {
    const { logGroupId, statements } = statementsOf(publisherFunction);
    const expected = [
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)),
      allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], streamArn),
      putEvents,
      allow(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], getAtt(childId('PublisherFailures'))),
      xrayAndListStreams,
    ];
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(statements));
  });
});

describe.each(['PollerDeadLetters', 'WorkerDeadLetters'])('dead-letter queue %s', (id) => {
  test('is encrypted and keeps messages 14 days', () => {
    expect(resources[childId(id)]?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  test('refuses requests without TLS', () => {
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: childId(id) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: getAtt(childId(id)),
          }),
        ]),
      },
    });
  });

  test('accepts messages from its rule only', () => {
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: childId(id) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
          }),
        ]),
      },
    });
  });
});

describe('webhooks out', () => {
  const deliveries = childId('WebhookDeliveries');
  const deadLetters = childId('WebhookDeadLetters');
  const sendTo = (id: string) => allow('sqs:SendMessage', getAtt(id));
  const queueDeliveries = [allow('sqs:SendMessage', getAtt(deadLetters)), allow('sqs:SendMessage', getAtt(deliveries))];

  test('queue deliveries encrypted, TLS only, dead-lettered after five failed receives', () => {
    stateless.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetters), maxReceiveCount: 5 },
    });
    stateless.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: deliveries }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('fan every event of the bus out to the fan-out function, which may only queue deliveries', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['latchkey'] },
      Targets: [Match.objectLike({ Arn: getAtt(functionId(webhookFanOutFunction)), DeadLetterConfig: { Arn: getAtt(childId('WebhookFanOutDeadLetters')) } })],
    });
    const { logGroupId, statements } = statementsOf(webhookFanOutFunction);
    const expected = [allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt(logGroupId)), readStatement, writeStatement, ...queueDeliveries, sendTo(childId('WebhookFanOutDeadLetters')), xray];
    expect(statements).toEqual(expect.arrayContaining(expected));
    expect(expected).toEqual(expect.arrayContaining(statements));
  });

  test('deliver from the queue in batches, reporting only the deliveries that could not be handled', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId(webhookDeliveryFunction) },
      EventSourceArn: getAtt(deliveries),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const variables = z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }).parse(resources[functionId(webhookDeliveryFunction)]?.Properties).Environment.Variables;
    expect(variables).toMatchObject({ LATCHKEY_WEBHOOK_QUEUE_URL: { Ref: deliveries }, LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL: { Ref: deadLetters } });
    const { statements } = statementsOf(webhookDeliveryFunction);
    const receive = allow(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], getAtt(deliveries));
    expect(statements).toEqual(expect.arrayContaining([...queueDeliveries, receive, ...providerStatementsOf(webhookDeliveryFunction)]));
    expect(JSON.stringify(statements)).not.toContain('connected-accounts');
  });
});
