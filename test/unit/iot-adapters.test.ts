import { AttachPolicyCommand, AttachThingPrincipalCommand, CreateKeysAndCertificateCommand, CreateThingCommand, DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import {
  ConflictException,
  GetThingShadowCommand,
  IoTDataPlaneClient,
  ListNamedShadowsForThingCommand,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateThingShadowCommand,
} from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { iotHubShadows } from '../../lib/adapters/iot-hub-shadows';
import { provisionHub } from '../../lib/adapters/iot-hub-identities';

const data = mockClient(IoTDataPlaneClient);
const control = mockClient(IoTClient);
beforeEach(() => {
  data.reset();
  control.reset();
});

/** A GetThingShadow payload as the SDK gives it: bytes that can also say themselves as text. */
const payload = (doc: unknown) => {
  const text = JSON.stringify(doc);
  return Object.assign(new TextEncoder().encode(text), { transformToString: () => text });
};
const sentText = (body: unknown) => (typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : '');
const meta = { code: 'x', message: 'x', $metadata: {} };

describe('lock shadows on the IoT data plane', () => {
  const shadows = iotHubShadows();

  test('reads a named shadow, and a missing one as none', async () => {
    data.on(GetThingShadowCommand, { thingName: 'latchkey-hub-a', shadowName: 'lock-2' }).resolves({ payload: payload({ state: { desired: { slots: { '1': '1234' } } }, metadata: {}, version: 7 }) });
    data.on(GetThingShadowCommand, { shadowName: 'lock-3' }).rejects(new ResourceNotFoundException(meta));
    expect(await shadows.get('latchkey-hub-a', 'lock-2')).toMatchObject({ version: 7, state: { desired: { slots: { '1': '1234' } } } });
    expect(await shadows.get('latchkey-hub-a', 'lock-3')).toBeUndefined();
  });

  test('writes desired slots conditioned on the version it read; a conflict answers false', async () => {
    data.on(UpdateThingShadowCommand).resolvesOnce({}).rejectsOnce(new ConflictException(meta));
    expect(await shadows.setDesired('latchkey-hub-a', 'lock-2', { slots: { '3': '' } }, 7)).toBe(true);
    expect(await shadows.setDesired('latchkey-hub-a', 'lock-2', { slots: { '3': '' } }, 7)).toBe(false);
    const sent = data.commandCalls(UpdateThingShadowCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ thingName: 'latchkey-hub-a', shadowName: 'lock-2' });
    expect(JSON.parse(sentText(sent?.payload))).toEqual({ state: { desired: { slots: { '3': '' } } }, version: 7 });
  });

  test('IoT Core throttling or failing is provider_unavailable, never a device fault', async () => {
    data.on(GetThingShadowCommand).rejects(new ThrottlingException(meta));
    await expect(shadows.get('latchkey-hub-a', 'lock-2')).rejects.toMatchObject({ kind: 'provider_unavailable' });
  });

  test('lists every named shadow of a hub, page by page', async () => {
    data
      .on(ListNamedShadowsForThingCommand)
      .resolvesOnce({ results: ['lock-2'], nextToken: 'n' })
      .resolvesOnce({ results: ['lock-5'] });
    expect(await shadows.list('latchkey-hub-a')).toEqual(['lock-2', 'lock-5']);
  });
});

test('provisioning a hub makes its thing, a certificate with the hub policy, and names the data endpoint', async () => {
  control.on(CreateThingCommand).resolves({});
  control.on(CreateKeysAndCertificateCommand).resolves({ certificateArn: 'arn:aws:iot:eu-west-1:1:cert/abc', certificatePem: 'CERT', keyPair: { PrivateKey: 'KEY', PublicKey: 'PUB' } });
  control.on(AttachPolicyCommand).resolves({});
  control.on(AttachThingPrincipalCommand).resolves({});
  control.on(DescribeEndpointCommand).resolves({ endpointAddress: 'abc-ats.iot.eu-west-1.amazonaws.com' });
  const made = await provisionHub(new IoTClient({ region: 'eu-west-1' }), { thingName: 'latchkey-hub-a', policyName: 'latchkey-dev-hub', connectedAccountId: 'a' });
  expect(made).toEqual({
    thing_name: 'latchkey-hub-a',
    mqtt_url: 'mqtts://abc-ats.iot.eu-west-1.amazonaws.com:8883',
    certificate_arn: 'arn:aws:iot:eu-west-1:1:cert/abc',
    certificate_pem: 'CERT',
    private_key_pem: 'KEY',
  });
  expect(control.commandCalls(CreateKeysAndCertificateCommand)[0]?.args[0].input).toEqual({ setAsActive: true });
  expect(control.commandCalls(AttachPolicyCommand)[0]?.args[0].input).toEqual({ policyName: 'latchkey-dev-hub', target: 'arn:aws:iot:eu-west-1:1:cert/abc' });
  expect(control.commandCalls(AttachThingPrincipalCommand)[0]?.args[0].input).toEqual({ thingName: 'latchkey-hub-a', principal: 'arn:aws:iot:eu-west-1:1:cert/abc' });
  expect(control.commandCalls(DescribeEndpointCommand)[0]?.args[0].input).toEqual({ endpointType: 'iot:Data-ATS' });
});
