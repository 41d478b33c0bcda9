import { z } from 'zod';
import type { RecordedCall } from './aws-twin';
import { type CloudAssembly, resourcesOf } from './cloud-assembly';

export const region = 'eu-west-1';
export const accountId = '000000000000';

/** One statement of a role's policies, its resources resolved to ARNs (wildcards kept). */
export interface Grant {
  actions: string[];
  resources: string[];
}

const statementSchema = z.object({ Effect: z.literal('Allow'), Action: z.union([z.string(), z.array(z.string())]), Resource: z.unknown() }).loose();
const policySchema = z.object({ Roles: z.array(z.unknown()), PolicyDocument: z.object({ Statement: z.array(statementSchema) }) });

/** The names the test gives what the template references. */
export interface Names {
  tableName: string;
  busName: string;
}

/** A CloudFormation value as the ARN or name it becomes when deployed, in the test's account and region. */
function resolve(assembly: CloudAssembly, names: Names, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = z.record(z.string(), z.unknown()).parse(value);
  if ('Fn::Join' in v) {
    const [separator, parts] = z.tuple([z.string(), z.array(z.unknown())]).parse(v['Fn::Join']);
    return parts.map((part) => resolve(assembly, names, part)).join(separator);
  }
  if ('Fn::ImportValue' in v) return resolve(assembly, names, assembly.exports[z.string().parse(v['Fn::ImportValue'])]);
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': region, 'AWS::AccountId': accountId, 'AWS::URLSuffix': 'amazonaws.com' };
  if ('Ref' in v && typeof v.Ref === 'string' && v.Ref in pseudo) return pseudo[v.Ref] ?? '';
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = z.tuple([z.string(), z.string()]).parse(v['Fn::GetAtt']);
    const type = (assembly.stateless[id] ?? assembly.stateful[id])?.Type;
    if (type === 'AWS::SQS::Queue' && attribute === 'Arn') return `arn:aws:sqs:${region}:${accountId}:${id}`;
    if (type === 'AWS::DynamoDB::Table' && attribute === 'Arn') return `arn:aws:dynamodb:${region}:${accountId}:table/${names.tableName}`;
    if (type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') return `arn:aws:dynamodb:${region}:${accountId}:table/${names.tableName}/stream/*`;
    if (type === 'AWS::Events::EventBus' && attribute === 'Arn') return `arn:aws:events:${region}:${accountId}:event-bus/${names.busName}`;
    if (type === 'AWS::Logs::LogGroup' && attribute === 'Arn') return `arn:aws:logs:${region}:${accountId}:log-group:${id}:*`;
  }
  if ('Ref' in v && typeof v.Ref === 'string') {
    const type = (assembly.stateless[v.Ref] ?? assembly.stateful[v.Ref])?.Type;
    if (type === 'AWS::DynamoDB::Table') return names.tableName;
    if (type === 'AWS::Events::EventBus') return names.busName;
  }
  throw new Error(`The test cannot resolve ${JSON.stringify(value)}`);
}

/** What every statement of the role `roleId`'s policies allows. */
export function grantsOf(assembly: CloudAssembly, roleId: string, names: Names): Grant[] {
  return resourcesOf(assembly.stateless, 'AWS::IAM::Policy')
    .map(([, policy]) => policySchema.parse(policy.Properties))
    .filter((policy) => JSON.stringify(policy.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => policy.PolicyDocument.Statement)
    .map((statement) => ({ actions: [statement.Action].flat(), resources: [statement.Resource].flat().map((r) => resolve(assembly, names, r)) }));
}

/** The ARN IAM checks for a recorded call. */
function arnOf(call: RecordedCall): string {
  const service = call.action.split(':')[0];
  if (service === 'dynamodb') return `arn:aws:dynamodb:${region}:${accountId}:table/${call.resource}`;
  if (service === 'sqs') return `arn:aws:sqs:${region}:${accountId}:${call.resource.split('/').at(-1)}`;
  if (service === 'events') return `arn:aws:events:${region}:${accountId}:event-bus/${call.resource}`;
  // Secrets Manager adds six random characters to a secret's name in its ARN.
  if (service === 'secretsmanager') return `arn:aws:secretsmanager:${region}:${accountId}:secret:${call.resource}-AbCdEf`;
  return call.resource;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** Whether a statement of `grants` allows `call`'s action on its resource. */
export function allows(grants: Grant[], call: RecordedCall): boolean {
  const arn = arnOf(call);
  return grants.some((g) => g.actions.some((a) => glob(a).test(call.action)) && g.resources.some((r) => glob(r).test(arn)));
}

const mappingSchema = z.object({ FunctionName: z.unknown(), EventSourceArn: z.unknown(), DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.unknown() }) }).optional() }).loose();

/**
 * What Lambda's event source mappings of function `functionId` reach with its role (the queue
 * or stream they read, the destination of failed batches): the service acts there, not the
 * function's code.
 */
export function eventSourceResources(assembly: CloudAssembly, functionId: string, names: Names): string[] {
  return resourcesOf(assembly.stateless, 'AWS::Lambda::EventSourceMapping')
    .map(([, mapping]) => mappingSchema.parse(mapping.Properties))
    .filter((mapping) => JSON.stringify(mapping.FunctionName).includes(`"${functionId}"`))
    .flatMap((mapping) => [mapping.EventSourceArn, ...(mapping.DestinationConfig ? [mapping.DestinationConfig.OnFailure.Destination] : [])])
    .map((value) => resolve(assembly, names, value));
}
