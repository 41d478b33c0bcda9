import { CfnElement } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { z } from 'zod';
import { functionNeeds, type Needs, requiredVariables } from '../../lib/triggers';
import { synthLatchkey } from './latchkey-app';

const { latchkey, stateless } = synthLatchkey();
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
