import { z } from 'zod';
import { hubThingName } from '../../lib/hub-contract/shadow-documents';
import { synthLatchkey } from './latchkey-app';

/*
 * Two stages in one account and region: nothing of one may reach, receive or grant the
 * other's hubs or secrets. Every IAM resource pattern and every IoT rule filter of each stage
 * is checked against the names the other stage's hubs and secrets would have.
 */

const stages = ['dev', 'prod'] as const;
const accountId = '6b3f2a10-0000-4000-8000-000000000001';
const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' };

/** A CloudFormation value as the string it deploys as (pseudo parameters filled in, other references as `<ref>`). */
const render = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || typeof value !== 'object') return String(value);
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return pseudo[object.Ref] ?? '<ref>';
  const join = z.tuple([z.string(), z.array(z.unknown())]).safeParse(object['Fn::Join']);
  if (join.success) return join.data[1].map(render).join(join.data[0]);
  return '<ref>';
};
/** An IAM resource pattern as a regular expression (`*` any run of characters, `?` one). */
const patternOf = (arn: string) =>
  new RegExp(
    `^${arn
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

const statementSchema = z.object({ Resource: z.unknown() }).loose();
const resourcesSchema = z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() }));

function surfaceOf(stage: string) {
  const { stateful, stateless } = synthLatchkey({ stage });
  const resources = Object.values({ ...resourcesSchema.parse(stateful.toJSON().Resources), ...resourcesSchema.parse(stateless.toJSON().Resources) });
  const grants = resources
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => z.object({ PolicyDocument: z.object({ Statement: z.array(statementSchema) }) }).parse(r.Properties).PolicyDocument.Statement)
    .flatMap((s) => [s.Resource].flat().map(render))
    .filter((arn) => arn !== '*');
  const ruleSql = resources.filter((r) => r.Type === 'AWS::IoT::TopicRule').map((r) => z.object({ TopicRulePayload: z.object({ Sql: z.string() }) }).parse(r.Properties).TopicRulePayload.Sql);
  const variables = resources
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).optional() }).parse(r.Properties).Environment?.Variables ?? {});
  return { grants, ruleSql, variables };
}

/** The names another stage's hub and secrets have in AWS. */
const namesOf = (stage: string) => {
  const thing = `arn:aws:iot:eu-west-1:123456789012:thing/${hubThingName(stage, accountId)}`;
  return {
    thingName: hubThingName(stage, accountId),
    arns: [
      thing,
      `${thing}/lock-2`,
      `arn:aws:secretsmanager:eu-west-1:123456789012:secret:latchkey/${stage}/connected-accounts/${accountId}-AbCdEf`,
      `arn:aws:secretsmanager:eu-west-1:123456789012:secret:latchkey/${stage}/webhooks/x-AbCdEf`,
    ],
  };
};

const surfaces = Object.fromEntries(stages.map((stage) => [stage, surfaceOf(stage)]));

describe.each(stages.map((stage) => [stage, stages.find((s) => s !== stage) ?? stage]))('stage %s, beside %s', (stage, other) => {
  const surface = surfaces[stage] ?? surfaceOf(stage);

  test("grants nothing on the other stage's hubs, their shadows or its secrets, and does on its own", () => {
    const patterns = surface.grants.map(patternOf);
    for (const arn of namesOf(other).arns) expect({ arn, grantedBy: surface.grants.filter((_, i) => patterns[i]?.test(arn)) }).toEqual({ arn, grantedBy: [] });
    for (const arn of namesOf(stage).arns) expect(patterns.some((p) => p.test(arn))).toBe(true);
  });

  test("IoT rules take its own hubs' messages, never the other stage's", () => {
    expect(surface.ruleSql).toHaveLength(3);
    for (const sql of surface.ruleSql) {
      const prefix = /startswith\([^,]+, '([^']+)'\)/.exec(sql)?.[1] ?? '';
      expect(namesOf(stage).thingName.startsWith(prefix)).toBe(true);
      expect(namesOf(other).thingName.startsWith(prefix)).toBe(false);
    }
  });

  test('every function knows its stage, which its metrics carry', () => {
    for (const variables of surface.variables.filter((v) => 'LATCHKEY_FUNCTION' in v)) expect(variables).toMatchObject({ LATCHKEY_STAGE: stage });
  });
});
