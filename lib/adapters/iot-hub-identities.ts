import type { IoTClient } from '@aws-sdk/client-iot';
import type { HubCredentials, HubIdentities } from '../providers/zwave';
import { AttachPolicyCommand, AttachThingPrincipalCommand, CreateKeysAndCertificateCommand, CreateThingCommand, DescribeEndpointCommand } from '@aws-sdk/client-iot';

/**
 * Gives a hub its identity in AWS IoT: a thing named after its connected account, an X.509
 * certificate and key made by IoT Core, the stack's hub policy (which lets a certificate act
 * only as the thing it is attached to) on the certificate, and the certificate on the thing.
 */
export async function provisionHub(iot: IoTClient, input: { thingName: string; policyName: string; connectedAccountId: string }): Promise<HubCredentials> {
  await iot.send(new CreateThingCommand({ thingName: input.thingName, attributePayload: { attributes: { connected_account_id: input.connectedAccountId } } }));
  const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  if (!cert.certificateArn || !cert.certificatePem || !cert.keyPair?.PrivateKey) throw new Error('AWS IoT returned no certificate');
  await iot.send(new AttachPolicyCommand({ policyName: input.policyName, target: cert.certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName: input.thingName, principal: cert.certificateArn }));
  const { endpointAddress } = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
  if (!endpointAddress) throw new Error('AWS IoT returned no data endpoint');
  return {
    thing_name: input.thingName,
    mqtt_url: `mqtts://${endpointAddress}:8883`,
    certificate_arn: cert.certificateArn,
    certificate_pem: cert.certificatePem,
    private_key_pem: cert.keyPair.PrivateKey,
  };
}

/** Hub identities made in AWS IoT with this client. */
export const iotHubIdentities = (iot: IoTClient): HubIdentities => ({ provision: (input) => provisionHub(iot, input) });
