import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { z } from 'zod';
import { hubShadowActions } from '../../infra/constructs/latchkey-function';
import { hubEventsFunction, pollerFunction, workerFunction } from '../../infra/functions';
import { synthLatchkey } from './latchkey-app';

const { latchkey, stateful, stateless } = synthLatchkey();
const template = stateless.toJSON();
const statefulResources = z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })).parse(stateful.toJSON().Resources);
const resources = z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })).parse(template.Resources);
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, resolved by IoT Core, not a template
const ownThing = '${iot:Connection.Thing.ThingName}';

function functionId(name: string): string {
  const cfn = latchkey.stateless.functions.get(name)?.lambda.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) throw new Error(`No function ${name}`);
  return latchkey.stateless.getLogicalId(cfn);
}

/** Every string inside a CloudFormation value, joined parts flattened (`Fn::Join` of a resource ARN). */
const render = (value: unknown): string =>
  typeof value === 'string' ? value : Array.isArray(value) ? value.map(render).join('') : typeof value === 'object' && value !== null ? Object.values(value).map(render).join('') : '';

/** The IAM statements attached to a function's role. */
function roleStatements(name: string): { Action: unknown; Resource: unknown }[] {
  const role = latchkey.stateless.functions.get(name)?.role.node.defaultChild;
  if (!(role instanceof CfnElement)) throw new Error(`No role for ${name}`);
  const roleId = latchkey.stateless.getLogicalId(role);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(roleId))
    .flatMap((r) => z.object({ PolicyDocument: z.object({ Statement: z.array(z.object({ Action: z.unknown(), Resource: z.unknown() })) }) }).parse(r.Properties).PolicyDocument.Statement);
}
const iotStatements = (name: string) => roleStatements(name).filter((s) => JSON.stringify(s.Action).includes('iot:'));

describe('the hub policy', () => {
  const policies = Object.entries(statefulResources).filter(([, r]) => r.Type === 'AWS::IoT::Policy');
  const document = z
    .object({
      PolicyName: z.undefined().optional(),
      PolicyDocument: z.object({ Statement: z.array(z.object({ Effect: z.literal('Allow'), Action: z.string(), Resource: z.unknown(), Condition: z.unknown().optional() })) }),
    })
    .parse(policies[0]?.[1].Properties);

  test("is one policy of the stateful stack, kept when its stack goes (certificates are attached to it), its name CloudFormation's, output for the CLI", () => {
    expect(policies).toHaveLength(1);
    expect(stateful.toJSON().Resources[policies[0]?.[0] ?? '']).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    stateful.hasOutput('HubPolicyName', { Value: { Ref: policies[0]?.[0] } });
    stateless.resourceCountIs('AWS::IoT::Policy', 0);
  });

  test('lets a certificate connect only as the thing it is attached to', () => {
    const connect = document.PolicyDocument.Statement.find((s) => s.Action === 'iot:Connect');
    expect(render(connect?.Resource)).toMatch(/:client\/\$\{iot:Connection\.Thing\.ThingName\}$/);
    expect(connect?.Condition).toEqual({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } });
  });

  test('is at most 1,800 characters deployed in the longest partition, region and account id, with wildcards, not one entry per topic', () => {
    const deployed = JSON.stringify(JSON.parse(JSON.stringify(document.PolicyDocument), (_, value) => (value !== null && typeof value === 'object' && 'Fn::Join' in value ? render(value) : value)))
      .replaceAll('AWS::Partition', 'aws-us-gov')
      .replaceAll('AWS::Region', 'ap-southeast-4')
      .replaceAll('AWS::AccountId', '123456789012');
    expect(deployed.length).toBeLessThanOrEqual(1800);
    for (const statement of document.PolicyDocument.Statement) expect([statement.Resource].flat().length).toBeLessThanOrEqual(3);
  });

  test("scopes every topic to the connecting hub's own thing, and allows nothing but MQTT", () => {
    expect(new Set(document.PolicyDocument.Statement.map((s) => s.Action))).toEqual(new Set(['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive']));
    for (const statement of document.PolicyDocument.Statement) {
      const arns = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(render);
      for (const arn of arns) expect(arn).toContain(ownThing);
    }
    const topics = (action: string) =>
      [document.PolicyDocument.Statement.find((s) => s.Action === action)?.Resource]
        .flat()
        .map(render)
        .map((a) => a.replace(/^.*:topic(filter)?\//, ''));
    expect(topics('iot:Publish')).toEqual([`$aws/things/${ownThing}/shadow/name/*/update`, `$aws/things/${ownThing}/shadow/name/*/get`, `latchkey/hubs/${ownThing}/events`]);
    expect(topics('iot:Subscribe')).toEqual([`$aws/things/${ownThing}/shadow/name/*`]);
    expect(topics('iot:Receive')).toEqual([`$aws/things/${ownThing}/shadow/name/*`]);
  });
});

describe('the hub rules', () => {
  const rules = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IoT::TopicRule');
  const payloadSchema = z.object({
    TopicRulePayload: z.object({
      Sql: z.string(),
      AwsIotSqlVersion: z.literal('2016-03-23'),
      RuleDisabled: z.literal(false),
      Actions: z.array(z.object({ Lambda: z.object({ FunctionArn: z.unknown() }) })),
      ErrorAction: z.object({ Sqs: z.object({ QueueUrl: z.unknown(), RoleArn: z.unknown() }) }),
    }),
  });

  test('feed shadow documents, presence and keypad events of latchkey hubs only to the hub-events function', () => {
    const sql = rules.map(([, r]) => payloadSchema.parse(r.Properties).TopicRulePayload.Sql).sort();
    expect(sql).toEqual([
      "SELECT *, 'documents' AS kind, topic(3) AS thing_name, topic(6) AS shadow_name FROM '$aws/things/+/shadow/name/+/update/documents' WHERE startswith(topic(3), 'latchkey-dev-hub-')",
      "SELECT *, 'keypad' AS kind, topic(3) AS thing_name FROM 'latchkey/hubs/+/events' WHERE startswith(topic(3), 'latchkey-dev-hub-')",
      "SELECT *, 'presence' AS kind FROM '$aws/events/presence/+/+' WHERE startswith(clientId, 'latchkey-dev-hub-')",
    ]);
    for (const [, rule] of rules) {
      expect(payloadSchema.parse(rule.Properties).TopicRulePayload.Actions).toEqual([{ Lambda: { FunctionArn: { 'Fn::GetAtt': [functionId(hubEventsFunction), 'Arn'] } } }]);
    }
  });

  test('may each invoke the function, from this account and that rule only', () => {
    for (const [ruleId] of rules) {
      stateless.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId(hubEventsFunction), 'Arn'] },
        Principal: 'iot.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
        SourceAccount: { Ref: 'AWS::AccountId' },
      });
    }
  });

  test('send what they cannot deliver to an encrypted queue, through a role that may only send to it', () => {
    stateless.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    stateless.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'iot.amazonaws.com' } })] } });
  });
});

describe('IoT data-plane access', () => {
  const hubThings = (statements: { Resource: unknown }[]) => statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(render));

  test.each([hubEventsFunction, workerFunction, pollerFunction])("%s reads and writes hub lock shadows, on the stage's hub things only", (name) => {
    const statements = iotStatements(name);
    expect(statements.map((s) => s.Action)).toEqual([[...hubShadowActions].sort()]);
    expect(hubThings(statements).map((a) => a.replace(/^arn:.*:iot:.*:thing\//, 'thing/'))).toEqual(['thing/latchkey-dev-hub-*', 'thing/latchkey-dev-hub-*/*']);
    expect(resources[functionId(name)]?.Properties?.Environment).toMatchObject({ Variables: { LATCHKEY_ZWAVE_HUBS: 'aws-iot' } });
  });

  test("looks up the account's IoT data endpoint (iot:Data-ATS) at deploy time and gives it to every function that reaches hubs", () => {
    const lookups = Object.entries(resources).filter(([, r]) => r.Type === 'Custom::AWS');
    expect(lookups).toHaveLength(1);
    const [lookupId, lookup] = lookups[0] ?? [];
    const create = JSON.parse(render(lookup?.Properties?.Create));
    expect(create).toMatchObject({ service: 'IoT', action: 'DescribeEndpoint', parameters: { endpointType: 'iot:Data-ATS' } });
    const reachHubs = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Environment ?? {}).includes('LATCHKEY_ZWAVE_HUBS'));
    expect(reachHubs.length).toBeGreaterThanOrEqual(8);
    for (const fn of reachHubs) {
      expect(fn.Properties?.Environment).toMatchObject({ Variables: { LATCHKEY_IOT_DATA_ENDPOINT: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [lookupId, 'endpointAddress'] }]] } } });
    }
  });

  test('functions that never call a provider have no IoT access and no hub setting', () => {
    for (const name of ['access-codes-get', 'access-codes-list', 'devices-list', 'not-found']) {
      expect(iotStatements(name)).toEqual([]);
      const fn = resources[functionId(name)];
      expect(JSON.stringify(fn?.Properties?.Environment)).not.toContain('LATCHKEY_ZWAVE_HUBS');
      expect(JSON.stringify(fn?.Properties?.Environment)).not.toContain('LATCHKEY_IOT_DATA_ENDPOINT');
    }
  });
});
