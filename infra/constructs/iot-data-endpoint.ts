import { Stack, Validations } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { type LatchkeyConfig, removalPolicyOf } from '../config';

/**
 * The account's IoT data endpoint (`iot:Data-ATS`), which AWS documents for device shadows,
 * looked up at deploy time by a custom resource calling `iot:DescribeEndpoint`. Its `url` goes
 * to every function that reaches hubs, as LATCHKEY_IOT_DATA_ENDPOINT.
 */
export class IotDataEndpoint extends Construct {
  readonly url: string;

  constructor(scope: Construct, id: string, props: { config: LatchkeyConfig }) {
    super(scope, id);
    const lookup = new AwsCustomResource(this, 'Lookup', {
      onUpdate: {
        service: 'IoT',
        action: 'DescribeEndpoint',
        parameters: { endpointType: 'iot:Data-ATS' },
        physicalResourceId: PhysicalResourceId.of('iot-data-ats'),
      },
      // DescribeEndpoint supports no resource-level permissions.
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'Logs', { retention: props.config.logRetentionDays, removalPolicy: removalPolicyOf(props.config) }),
    });
    this.url = `https://${lookup.getResponseField('endpointAddress')}`;
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'iot:DescribeEndpoint supports no resource-level permissions; the lookup may call nothing else.',
    });
    // The one function CDK shares among a stack's AwsCustomResources.
    const provider = Stack.of(this).node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`);
    if (provider === undefined) throw new Error('No AwsCustomResource provider function in the stack');
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's own provider of the IoT endpoint lookup: the managed policy lets it write its logs, and nothing else.",
    });
  }
}
