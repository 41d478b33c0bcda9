import type { DeviceRecord, ProviderName } from '../devices/schemas';
import type { ConnectedAccountRecord } from './schemas';

/** What a connected account reports on a sync: its devices as Latchkey records, and its own state. */
export interface AccountSnapshot {
  /** Every device behind the account that can hold access codes, with stable Latchkey ids. */
  devices: DeviceRecord[];
}

/**
 * The account side of a provider: reads what devices an account has. Failures are
 * ProviderErrors (an unreachable or refusing upstream is `provider_unavailable`).
 */
export interface AccountSource {
  snapshot(account: ConnectedAccountRecord): Promise<AccountSnapshot>;
}

export interface AccountSourceRegistry {
  for(provider: ProviderName): AccountSource | undefined;
}

export const accountSourceRegistry = (sources: Partial<Record<ProviderName, AccountSource>>): AccountSourceRegistry => ({
  for: (provider) => sources[provider],
});
