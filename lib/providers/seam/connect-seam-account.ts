import { accountSecretName, type SeamCredential, seamCredentialSchema, seamSettingsSchema } from './seam-account';
import type { Deps } from '../../ports';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import { type SyncDeps, syncConnectedAccount } from '../../connected-accounts/sync-connected-account';

export interface ConnectSeamInput {
  workspaceId: string;
  apiKey: string;
  endpoint: string;
  webhookSecret?: string;
}

/**
 * Connects a customer's Seam workspace (an operator action): stores the credential as a
 * secret, the account without it, and syncs the devices before returning. A key the upstream
 * refuses, or an upstream that cannot be reached, undoes everything and says why.
 */
export async function connectSeamAccount(deps: SyncDeps & Pick<Deps, 'secrets' | 'workspaces'>, input: ConnectSeamInput): Promise<{ connected_account_id: string; devices: number }> {
  if (!(await deps.workspaces.get(input.workspaceId))) throw new Error(`No workspace ${input.workspaceId}`);
  const credential: SeamCredential = seamCredentialSchema.parse({
    api_key: input.apiKey,
    ...(input.webhookSecret !== undefined && { webhook_secret: input.webhookSecret }),
  });
  const settings = seamSettingsSchema.parse({ endpoint: input.endpoint, webhooks: credential.webhook_secret !== undefined });
  const id = deps.ids.uuid();
  const host = new URL(settings.endpoint).host;
  const record: ConnectedAccountRecord = {
    workspace_id: input.workspaceId,
    connected_account: {
      connected_account_id: id,
      account_type: 'seam',
      account_type_display_name: 'Seam',
      display_name: `Seam workspace at ${host}`,
      created_at: deps.clock.now().toISOString(),
      errors: [],
      warnings: [],
      custom_metadata: {},
      automatically_manage_new_devices: true,
      accepted_capabilities: ['lock'],
    },
    provider: 'seam',
    provider_settings: settings,
    secret_name: accountSecretName(id),
  };
  await deps.secrets.put(accountSecretName(id), JSON.stringify(credential));
  await deps.connectedAccounts.put(record);
  const { devices, failure } = await syncConnectedAccount(deps, record);
  if (failure) {
    await deps.connectedAccounts.remove(input.workspaceId, id);
    await deps.secrets.remove(accountSecretName(id));
    throw new Error(`Could not connect the Seam workspace: ${failure.message}`);
  }
  return { connected_account_id: id, devices };
}
