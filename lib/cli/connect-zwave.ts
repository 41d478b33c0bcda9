import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Deps } from '../ports';
import { createHubAccount, type HubCredentials, type HubIdentities, zwaveSettingsSchema } from '../providers/zwave';

/** AWS IoT, loaded only when a hub is provisioned against a deployed stack. */
const awsHubIdentities = async (): Promise<HubIdentities> => {
  const [{ IoTClient }, { iotHubIdentities }] = await Promise.all([import('@aws-sdk/client-iot'), import('../adapters/iot-hub-identities')]);
  return iotHubIdentities(new IoTClient({}));
};

const amazonRootCa = 'https://www.amazontrust.com/repository/AmazonRootCA1.pem';

/**
 * `accounts connect zwave`: the hub's connected account, and in AWS its IoT thing, certificate
 * and policy. The certificate and private key are written to files (the key readable by the
 * owner only) with the agent's configuration beside them; only paths and ids are printed.
 */
export async function connectZwaveHub(
  deps: Pick<Deps, 'connectedAccounts' | 'ids' | 'clock'>,
  /** `stage`: LATCHKEY_STAGE, which the hub's thing name carries; required (not defaulted) for a deployed stack. */
  input: { workspaceId: string; name: string; aws: boolean; stage?: string; policyName?: string; outDir?: string; hubIdentities?: () => Promise<HubIdentities> },
): Promise<Record<string, unknown>> {
  if (input.aws && !input.policyName) throw new Error("--iot-policy (or LATCHKEY_HUB_POLICY_NAME) is required for a deployed stack: use the stack's HubPolicyName output");
  if (input.aws && input.stage === undefined)
    throw new Error("LATCHKEY_STAGE is required for a deployed stack: the stage's name (the hub's thing must carry it, or the stage's functions cannot reach it)");
  const account = await createHubAccount(deps, { workspaceId: input.workspaceId, name: input.name, stage: input.stage ?? 'local' });
  const accountId = account.connected_account.connected_account_id;
  const thingName = zwaveSettingsSchema.parse(account.provider_settings).thing_name;
  if (!input.aws || !input.policyName) {
    return {
      connected_account_id: accountId,
      thing_name: thingName,
      note: 'Local data: no AWS IoT identity was made. `LATCHKEY_ZWAVE_MOCK_LOCKS=N npm start` runs mock locks behind the agent locally; connect a real hub against a deployed stack.',
    };
  }
  let credentials: HubCredentials;
  try {
    const hubs = await (input.hubIdentities ?? awsHubIdentities)();
    credentials = await hubs.provision({ thingName, policyName: input.policyName, connectedAccountId: accountId });
  } catch (error) {
    // No half-made hub: without its identity the account could never see a lock.
    await deps.connectedAccounts.remove(input.workspaceId, accountId);
    throw error;
  }
  const dir = resolve(input.outDir ?? thingName);
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, 'hub.cert.pem');
  const keyFile = join(dir, 'hub.private.key');
  writeFileSync(certFile, credentials.certificate_pem);
  writeFileSync(keyFile, credentials.private_key_pem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const config = {
    thing_name: thingName,
    mqtt_url: credentials.mqtt_url,
    cert_file: certFile,
    key_file: keyFile,
    zwave: { serial_port: '/dev/serial/by-id/<your Z-Wave stick>' },
    cache_dir: join(dir, 'zwave-cache'),
  };
  const configFile = join(dir, 'edge.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return {
    connected_account_id: accountId,
    thing_name: thingName,
    certificate_arn: credentials.certificate_arn,
    mqtt_url: credentials.mqtt_url,
    files: { config: configFile, certificate: certFile, private_key: keyFile },
    next: [
      `Copy ${dir} to the hub (the private key is not stored anywhere else).`,
      `Set zwave.serial_port in edge.json and security_keys from Z-Wave JS UI, or zwave.server_url (ws://host:3000) to go through Home Assistant's or Z-Wave JS UI's Z-Wave JS server.`,
      `On the hub: npm run edge -- --config ${configFile}  (Amazon's root CA is in Node's trust store; if not: ${amazonRootCa})`,
    ],
  };
}
