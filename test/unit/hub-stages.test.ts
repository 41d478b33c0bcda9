import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectZwaveHub } from '../../lib/cli/connect-zwave';
import { loadConfig } from '../../lib/config';
import { hubThingName, hubThingPrefix, parseHubThingName } from '../../lib/hub-contract/shadow-documents';
import { stagePattern } from '../../lib/hub-contract/stage';
import { createHubAccount, onHubMessage, zwaveSettingsSchema } from '../../lib/providers/zwave';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const accountId = '6b3f2a10-0000-4000-8000-000000000001';
const silent = { info: () => undefined, warn: () => undefined };

describe('stage-qualified hub names', () => {
  test("a hub's thing carries its stage, and parses back to its account", () => {
    expect(hubThingName('prod', accountId)).toBe(`latchkey-prod-hub-${accountId}`);
    expect(hubThingName('prod', accountId).startsWith(hubThingPrefix('prod'))).toBe(true);
    expect(parseHubThingName(`latchkey-prod-hub-${accountId}`)).toBe(accountId);
    // A hub made locally before names carried the stage: its account's stored name still decides.
    expect(parseHubThingName(`latchkey-hub-${accountId}`)).toBe(accountId);
    expect(parseHubThingName(`other-prod-hub-${accountId}`)).toBeUndefined();
    expect(parseHubThingName(`latchkey-prod-hub-${accountId}x`)).toBeUndefined();
  });

  test('no stage may be named so that its hubs fall under another stage\'s prefix ("dev" and "dev-hub")', () => {
    for (const stage of ['dev', 'prod', 'pr42', 'prod-eu', 'hubble', 'my-hubs']) expect(stage).toMatch(stagePattern);
    for (const stage of ['dev-hub', 'dev-hub-2', 'Prod', '1dev', 'a'.repeat(21), '']) expect(stage).not.toMatch(stagePattern);
  });

  test('LATCHKEY_STAGE defaults to local and is checked', () => {
    expect(loadConfig({}).LATCHKEY_STAGE).toBe('local');
    expect(loadConfig({ LATCHKEY_STAGE: 'prod' }).LATCHKEY_STAGE).toBe('prod');
    expect(() => loadConfig({ LATCHKEY_STAGE: 'prod-hub' })).toThrow(/LATCHKEY_STAGE/);
  });
});

describe("another stage's hub", () => {
  test('is no hub here: its presence changes nothing, though the account id is the same', async () => {
    const { deps } = memoryApp();
    const ws = await sandboxWorkspace(deps);
    const account = await createHubAccount(deps, { workspaceId: ws.workspaceId, name: 'Hub', stage: 'dev', connectedAccountId: accountId });
    expect(zwaveSettingsSchema.parse(account.provider_settings).thing_name).toBe(`latchkey-dev-hub-${accountId}`);
    const presence = (clientId: string) => onHubMessage(deps, { kind: 'presence', clientId, eventType: 'connected', timestamp: Date.now() }, silent);
    const connected = async () => zwaveSettingsSchema.parse((await deps.connectedAccounts.getById(accountId))?.provider_settings).connected;

    await presence(`latchkey-prod-hub-${accountId}`);
    expect(await connected()).toBe(false);
    await presence(`latchkey-dev-hub-${accountId}`);
    expect(await connected()).toBe(true);
  });
});

describe('accounts connect zwave', () => {
  const provisioned: { thingName: string; policyName: string }[] = [];
  const hubIdentities = async () => ({
    provision: async (input: { thingName: string; policyName: string; connectedAccountId: string }) => {
      provisioned.push(input);
      return {
        thing_name: input.thingName,
        mqtt_url: 'mqtts://x-ats.iot.eu-west-1.amazonaws.com:8883',
        certificate_arn: 'arn:aws:iot:eu-west-1:1:cert/abc',
        certificate_pem: 'CERT',
        private_key_pem: 'KEY',
      };
    },
  });

  test('for a deployed stack needs the stage, and names the thing after it', async () => {
    const { deps } = memoryApp();
    const ws = await sandboxWorkspace(deps);
    const base = { workspaceId: ws.workspaceId, name: 'Unit 4B hub', aws: true, policyName: 'latchkey-prod-stateful-ZwaveHubPolicy-X', hubIdentities };
    await expect(connectZwaveHub(deps, base)).rejects.toThrow(/LATCHKEY_STAGE/);
    const outDir = mkdtempSync(join(tmpdir(), 'latchkey-hub-'));
    const made = await connectZwaveHub(deps, { ...base, stage: 'prod', outDir });
    expect(made.thing_name).toMatch(/^latchkey-prod-hub-/);
    expect(provisioned).toEqual([expect.objectContaining({ thingName: made.thing_name, policyName: base.policyName })]);
    expect(JSON.parse(readFileSync(join(outDir, 'edge.json'), 'utf8'))).toMatchObject({ thing_name: made.thing_name });
  });

  test('on local data makes the account only, its thing named for the local stage', async () => {
    const { deps } = memoryApp();
    const ws = await sandboxWorkspace(deps);
    const made = await connectZwaveHub(deps, { workspaceId: ws.workspaceId, name: 'Hub', aws: false });
    expect(made.thing_name).toMatch(/^latchkey-local-hub-/);
  });
});
