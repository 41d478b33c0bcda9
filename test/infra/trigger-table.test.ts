import { CfnElement } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { z } from 'zod';
import { eventSchema } from '../../lib/events/schemas';
import { busEnvelope, localStandIns } from '../../lib/local/local-triggers';
import { functionNeeds, type JobDefinition, jobs, type Needs, requiredVariables } from '../../lib/triggers';
import { synthLatchkey } from './latchkey-app';

const { latchkey, stateless } = synthLatchkey();
const sampleEvent = eventSchema.parse({
  event_id: '00000000-0000-4000-8000-000000000001',
  workspace_id: '00000000-0000-4000-8000-000000000002',
  access_code_id: '00000000-0000-4000-8000-000000000003',
  device_id: '00000000-0000-4000-8000-000000000004',
  connected_account_id: '00000000-0000-4000-8000-000000000005',
  event_type: 'access_code.created',
  occurred_at: '2026-11-23T12:00:00.000Z',
  created_at: '2026-11-23T12:00:00.000Z',
});
const resources = z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })).parse(stateless.toJSON().Resources);

function functionId(name: string): string {
  const cfn = latchkey.stateless.functions.get(name)?.lambda.node.defaultChild;
  if (!(cfn instanceof CfnFunction)) throw new Error(`No function ${name}`);
  return latchkey.stateless.getLogicalId(cfn);
}

function childId(id: string): string {
  const cfn = latchkey.stateless.node.findChild(id).node.defaultChild;
  if (!(cfn instanceof CfnElement)) throw new Error(`${id} has no CloudFormation resource`);
  return latchkey.stateless.getLogicalId(cfn);
}

const functionSchema = z.object({
  Role: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
  Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }),
});
const statementSchema = z.object({ Action: z.union([z.string(), z.array(z.string())]), Resource: z.unknown() }).loose();
const policySchema = z.object({ PolicyDocument: z.object({ Statement: z.array(statementSchema) }) });

function functionOf(name: string) {
  const fn = functionSchema.parse(resources[functionId(name)]?.Properties);
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: fn.Role['Fn::GetAtt'][0] }] } });
  const statements = Object.values(policies).flatMap((p) => policySchema.parse(p.Properties).PolicyDocument.Statement);
  return { variables: fn.Environment.Variables, statements };
}

/** Whether any statement allows `action` on a resource whose definition mentions `resource`. */
const allows = (statements: z.infer<typeof statementSchema>[], action: string, resource: string) =>
  statements.some((s) => [s.Action].flat().includes(action) && JSON.stringify(s.Resource).includes(resource));

/** Every variable some capability brings. */
const capabilityVariables = new Set<string>(
  requiredVariables({ table: 'readWrite', lifecycle: true, followUps: true, credentials: 'read', hubShadows: true, bus: true, webhookQueues: true, webhookSecrets: 'read' }),
);

describe.each([...functionNeeds.entries()])('the synthesized function %s', (name: string, needs: Needs) => {
  test('has the configuration of exactly the capabilities its table entry names', () => {
    const { variables } = functionOf(name);
    const given = Object.keys(variables).filter((variable) => capabilityVariables.has(variable));
    expect(given.sort()).toEqual(requiredVariables(needs).sort());
  });

  test(needs.followUps ? 'may schedule follow-ups, because it takes engine steps' : 'may not schedule follow-ups', () => {
    expect(allows(functionOf(name).statements, 'sqs:SendMessage', childId('FollowUps'))).toBe(needs.followUps === true);
  });

  test(needs.bus ? 'may put events on the bus' : 'may not put events on the bus', () => {
    expect(functionOf(name).statements.some((s) => [s.Action].flat().includes('events:PutEvents'))).toBe(needs.bus === true);
  });

  test(needs.webhookQueues ? 'may queue webhook deliveries and dead-letter them' : 'may not queue webhook deliveries', () => {
    const { statements } = functionOf(name);
    expect(allows(statements, 'sqs:SendMessage', childId('WebhookDeliveries'))).toBe(needs.webhookQueues === true);
    expect(allows(statements, 'sqs:SendMessage', childId('WebhookDeadLetters'))).toBe(needs.webhookQueues === true);
  });

  test(needs.credentials ? "may read connected accounts' credentials" : "may not read connected accounts' credentials", () => {
    expect(allows(functionOf(name).statements, 'secretsmanager:GetSecretValue', 'connected-accounts/')).toBe(needs.credentials !== undefined);
  });

  test('may write the table only if its entry says so', () => {
    expect(functionOf(name).statements.some((s) => [s.Action].flat().includes('dynamodb:PutItem'))).toBe(needs.table === 'readWrite');
  });
});

test('the functions behind Seam webhooks and Z-Wave hub events schedule follow-ups on the queue (they take engine steps)', () => {
  for (const name of ['webhooks-seam', 'zwave-hub-events']) {
    expect(functionOf(name).variables).toMatchObject({ LATCHKEY_FOLLOW_UP_QUEUE_URL: { Ref: childId('FollowUps') } });
  }
});

const ruleSchema = z.object({
  Properties: z.object({
    EventPattern: z.object({ source: z.array(z.string()), 'detail-type': z.array(z.string()).optional() }).optional(),
    ScheduleExpression: z.string().optional(),
    Targets: z.array(z.object({ Arn: z.unknown() }).loose()),
  }),
});

describe.each([...jobs])('the job $fn', (job: JobDefinition) => {
  const trigger = job.trigger;
  test(`is started in the stack by its table entry's trigger (${trigger.kind}), with the timeout it says`, () => {
    const fnArn = { 'Fn::GetAtt': [functionId(job.fn), 'Arn'] };
    expect(resources[functionId(job.fn)]?.Properties).toMatchObject({ Timeout: job.timeoutSeconds });
    switch (trigger.kind) {
      case 'bus':
      case 'schedule': {
        const rule = ruleSchema.parse(resources[childId(trigger.rule)]);
        expect(rule.Properties.Targets.every((target) => JSON.stringify(target.Arn) === JSON.stringify(fnArn))).toBe(true);
        expect(rule.Properties.Targets).toHaveLength(trigger.kind === 'schedule' ? (trigger.fanOut ?? 1) : 1);
        if (trigger.kind === 'bus') {
          // The same envelope local mode builds for the handler.
          expect(rule.Properties.EventPattern?.source).toEqual([busEnvelope(sampleEvent).source]);
          expect(rule.Properties.EventPattern?.['detail-type']).toEqual(trigger.detailTypes && [...trigger.detailTypes]);
        } else expect(rule.Properties.ScheduleExpression).toBe(trigger.every === 'poll' ? 'rate(1 minute)' : 'rate(1 day)');
        return;
      }
      case 'queue':
        stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: functionId(job.fn) },
          EventSourceArn: { 'Fn::GetAtt': [childId(trigger.queue === 'followUps' ? 'FollowUps' : 'WebhookDeliveries'), 'Arn'] },
          BatchSize: trigger.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
        return;
      case 'stream':
        stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: functionId(job.fn) }, BatchSize: trigger.batchSize, StartingPosition: 'TRIM_HORIZON' });
        return;
      case 'iot':
        expect(Object.values(stateless.findResources('AWS::IoT::TopicRule')).length).toBeGreaterThan(0);
        return;
    }
  });

  test('has a stand-in in local mode', () => {
    expect(localStandIns[trigger.kind]).toEqual(expect.any(String));
  });
});
