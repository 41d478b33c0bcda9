import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import type { Deps } from '../../ports';
import { zwaveSettingsFor } from './zwave-devices';

/**
 * Creates a Z-Wave hub's connected account. Its locks become devices when the hub's agent
 * first reports them; until then the account has none. The hub's identity in IoT Core is the
 * thing named in the account's settings.
 */
export async function createHubAccount(
  deps: Pick<Deps, 'connectedAccounts' | 'ids' | 'clock'>,
  /** `stage`: the deployment's (LATCHKEY_STAGE), which the hub's thing name carries. */
  input: { workspaceId: string; name: string; stage: string; connectedAccountId?: string },
): Promise<ConnectedAccountRecord> {
  const id = input.connectedAccountId ?? deps.ids.uuid();
  const record: ConnectedAccountRecord = {
    workspace_id: input.workspaceId,
    connected_account: {
      connected_account_id: id,
      account_type: 'zwave',
      account_type_display_name: 'Z-Wave hub',
      display_name: input.name,
      created_at: deps.clock.now().toISOString(),
      errors: [],
      warnings: [],
      custom_metadata: {},
      automatically_manage_new_devices: true,
      accepted_capabilities: ['lock'],
    },
    provider: 'zwave',
    provider_settings: zwaveSettingsFor(input.stage, id),
  };
  await deps.connectedAccounts.put(record);
  return record;
}
