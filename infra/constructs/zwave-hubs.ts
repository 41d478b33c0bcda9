import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnTopicRule } from 'aws-cdk-lib/aws-iot';
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

/**
 * Z-Wave hubs in AWS IoT Core: three rules feed the hub-events function with the stage's hubs'
 * messages only (their things carry the stage's prefix): lock shadows' documents (reported
 * changes reach the lifecycle engine), hubs' presence (device online state) and keypad events.
 * A message a rule cannot deliver goes to a queue. The hubs' IoT policy is the stateful stack's
 * (infra/constructs/hub-policy.ts).
 */
export class ZwaveHubs extends Construct {
  readonly rules: CfnTopicRule[];
  readonly undelivered: Queue;

  constructor(scope: Construct, id: string, props: ZwaveHubsProps) {
    super(scope, id);
    const undelivered = new Queue(this, 'UndeliveredHubMessages', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    this.undelivered = undelivered;
    Validations.of(undelivered).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead letter destination of the hub rules.',
    });
    const errorRole = new Role(this, 'RuleErrorRole', { assumedBy: new ServicePrincipal('iot.amazonaws.com'), description: `Latchkey ${props.stage}: hub rules' error action` });
    undelivered.grantSendMessages(errorRole);

    const prefix = hubThingPrefix(props.stage);
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
  }
}
