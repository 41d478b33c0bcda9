import { Aws, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';

/** IoT policy variables: the client's own thing, as IoT Core authenticated it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, resolved by IoT Core, not a template
export const ownThing = '${iot:Connection.Thing.ThingName}';

/**
 * The IoT policy the operator CLI attaches to every hub's certificate. It lets a certificate
 * connect only as the thing it is attached to, and touch only that thing's lock shadows and
 * event topic: policy variables and one wildcard per kind of topic, not one entry per topic,
 * so the document stays far below IoT's 2,048 characters (a test holds it to 1,800).
 *
 * It lives in the stateful stack and is always retained: CloudFormation cannot delete a policy
 * that certificates are attached to, so deleting it with the functions would fail the teardown
 * of any stage with a hub. Its name is CloudFormation's (the stack's name and a suffix), so a
 * stage deployed again after a destroy makes a new one instead of colliding with the one left.
 */
export class HubPolicy extends Construct {
  readonly policy: CfnPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const iotArn = (resource: string) => `arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const shadows = `$aws/things/${ownThing}/shadow/name/*`;
    this.policy = new CfnPolicy(this, 'Resource', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: iotArn(`client/${ownThing}`), Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: [iotArn(`topic/${shadows}/update`), iotArn(`topic/${shadows}/get`), iotArn(`topic/latchkey/hubs/${ownThing}/events`)] },
          // Every answer about its own lock shadows (update/delta, accepted, rejected; get/accepted, rejected).
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: iotArn(`topicfilter/${shadows}`) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: iotArn(`topic/${shadows}`) },
        ],
      },
    });
    this.policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
    new CfnOutput(Stack.of(this), 'HubPolicyName', {
      value: this.policy.ref,
      description: 'LATCHKEY_HUB_POLICY_NAME for `npm run latchkey -- accounts connect zwave`: the IoT policy each hub certificate gets',
    });
  }
}
