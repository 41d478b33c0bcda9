import * as z from 'zod';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import type { ConnectedAccountRepository, SecretStore } from '../../ports';
import { ProviderError } from '../../devices/lock-provider';
import type { DeviceRecord } from '../../devices/schemas';
import type { SeamUpstream, SeamUpstreamFactory } from './seam-upstream';

/** Seam's production endpoint, the default upstream. */
export const seamProductionEndpoint = 'https://connect.getseam.com';

/** A Seam account's settings, stored with the account (no credential here). */
export const seamSettingsSchema = z.object({
  endpoint: z.url(),
  /** The account has a webhook secret, so Seam's webhooks confirm changes. */
  webhooks: z.boolean().default(false),
});

/** What a Seam account's secret holds. */
export const seamCredentialSchema = z.object({
  api_key: z.string().min(1).max(512),
  webhook_secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/)
    .optional(),
});
export type SeamCredential = z.infer<typeof seamCredentialSchema>;

/** The secret name of a connected account's credential. */
export const accountSecretName = (connectedAccountId: string) => `connected-accounts/${connectedAccountId}`;

export interface SeamAccountsOptions {
  connectedAccounts: Pick<ConnectedAccountRepository, 'get'>;
  secrets: Pick<SecretStore, 'get'>;
  upstream: SeamUpstreamFactory;
  now?: () => number;
}

const cacheMs = 300_000;

/**
 * Resolves a device or account to a client of its upstream Seam workspace. Credentials are read
 * from the secret store and clients kept for five minutes in a warm process.
 */
export function seamAccounts({ connectedAccounts, secrets, upstream, now = Date.now }: SeamAccountsOptions) {
  const clients = new Map<string, { client: SeamUpstream; until: number }>();

  const credential = async (account: ConnectedAccountRecord): Promise<SeamCredential> => {
    const raw = account.secret_name === undefined ? undefined : await secrets.get(account.secret_name);
    if (raw === undefined) throw new ProviderError('provider_unavailable', 'The connected account has no stored credential');
    return seamCredentialSchema.parse(JSON.parse(raw));
  };

  const forAccount = async (account: ConnectedAccountRecord): Promise<SeamUpstream> => {
    const id = account.connected_account.connected_account_id;
    const hit = clients.get(id);
    if (hit && hit.until > now()) return hit.client;
    const { endpoint } = seamSettingsSchema.parse(account.provider_settings);
    const client = upstream({ endpoint, apiKey: (await credential(account)).api_key });
    if (clients.size > 1000) clients.clear();
    clients.set(id, { client, until: now() + cacheMs });
    return client;
  };

  return {
    forAccount,
    credential,
    async forDevice(device: DeviceRecord): Promise<SeamUpstream> {
      const account = await connectedAccounts.get(device.device.workspace_id, device.device.connected_account_id);
      if (!account) throw new ProviderError('transient', "The device's connected account is gone");
      return forAccount(account);
    },
    /** Forgets a cached client, after the account's credential changed or was deleted. */
    forget(connectedAccountId: string) {
      clients.delete(connectedAccountId);
    },
  };
}
export type SeamAccounts = ReturnType<typeof seamAccounts>;
