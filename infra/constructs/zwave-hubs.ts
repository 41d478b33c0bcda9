import { Aws, CfnOutput, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { hubThingPrefix } from '../../lib/hub-contract/shadow-documents';
import type { LatchkeyFunction } from './latchkey-function';

export interface ZwaveHubsProps {
  readonly stage: string;
  /** The function the rules invoke (functions/zwave-hub-events.ts). */
  readonly hubEvents: LatchkeyFunction;
  readonly removalPolicy: RemovalPolicy;
}

/** IoT policy variables: the client's own thing, as IoT Core authenticated it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, resolved by IoT Core, not a template
const ownThing = '${iot:Connection.Thing.ThingName}';
const shadowResponses = ['update/delta', 'update/accepted', 'update/rejected', 'get/accepted', 'get/rejected'];

/**
 * Z-Wave hubs in AWS IoT Core. One policy, attached to every hub's certificate by the
 * operator CLI, lets a certificate connect only as the thing it is attached to and touch only
 * that thing's lock shadows and event topic. Three rules feed the hub-events function: lock
 * shadows' documents (reported changes reach the lifecycle engine), hubs' presence (device
 * online state) and keypad events. A message a rule cannot deliver goes to a queue.
 */
export class ZwaveHubs extends Construct {
  readonly policy: CfnPolicy;
  readonly rules: CfnTopicRule[];

  constructor(scope: Construct, id: string, props: ZwaveHubsProps) {
    super(scope, id);
    const iotArn = (resource: string) => `arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const shadows = `$aws/things/${ownThing}/shadow/name/*`;

    this.policy = new CfnPolicy(this, 'HubPolicy', {
      policyName: `latchkey-${props.stage}-hub`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:Connect',
            Resource: iotArn(`client/${ownThing}`),
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          },
          {
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: [iotArn(`topic/${shadows}/update`), iotArn(`topic/${shadows}/get`), iotArn(`topic/latchkey/hubs/${ownThing}/events`)],
          },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: shadowResponses.map((r) => iotArn(`topicfilter/${shadows}/${r}`)) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: shadowResponses.map((r) => iotArn(`topic/${shadows}/${r}`)) },
        ],
      },
    });

    const undelivered = new Queue(this, 'UndeliveredHubMessages', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(undelivered).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead letter destination of the hub rules.',
    });
    const errorRole = new Role(this, 'RuleErrorRole', { assumedBy: new ServicePrincipal('iot.amazonaws.com'), description: `Latchkey ${props.stage}: hub rules' error action` });
    undelivered.grantSendMessages(errorRole);

    const prefix = hubThingPrefix;
    const rule = (ruleId: string, sql: string) => {
      const topicRule = new CfnTopicRule(this, ruleId, {
        topicRulePayload: {
          sql,
          awsIotSqlVersion: '2016-03-23',
          ruleDisabled: false,
          actions: [{ lambda: { functionArn: props.hubEvents.lambda.functionArn } }],
          errorAction: { sqs: { queueUrl: undelivered.queueUrl, roleArn: errorRole.roleArn, useBase64: false } },
        },
      });
      props.hubEvents.lambda.addPermission(`${ruleId}Invoke`, {
        principal: new ServicePrincipal('iot.amazonaws.com'),
        sourceArn: topicRule.attrArn,
        sourceAccount: Stack.of(this).account,
      });
      return topicRule;
    };
    this.rules = [
      rule(
        'ShadowDocumentsRule',
        `SELECT *, 'documents' AS kind, topic(3) AS thing_name, topic(6) AS shadow_name FROM '$aws/things/+/shadow/name/+/update/documents' WHERE startswith(topic(3), '${prefix}')`,
      ),
      rule('PresenceRule', `SELECT *, 'presence' AS kind FROM '$aws/events/presence/+/+' WHERE startswith(clientId, '${prefix}')`),
      rule('KeypadEventsRule', `SELECT *, 'keypad' AS kind, topic(3) AS thing_name FROM 'latchkey/hubs/+/events' WHERE startswith(topic(3), '${prefix}')`),
    ];

    new CfnOutput(Stack.of(this), 'HubPolicyName', {
      value: `latchkey-${props.stage}-hub`,
      description: 'LATCHKEY_HUB_POLICY_NAME for `npm run latchkey -- accounts connect zwave`: the IoT policy each hub certificate gets',
    });
  }
}
