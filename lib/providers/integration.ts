import type { AccountSource } from '../connected-accounts/account-source';
import type { LockProvider } from '../devices/lock-provider';
import type { ProviderName } from '../devices/schemas';

/** What one integration brings to the application: its lock provider, and the account source that lists its devices. */
export interface IntegrationParts {
  provider: LockProvider;
  accountSource?: AccountSource;
}

/**
 * One lock integration as the registry sees it: the face its folder exports. `wire` takes the
 * stores and the ways to reach the world it needs (`Needs`), and answers nothing when this
 * process cannot reach it (its devices then answer `provider_unavailable`).
 */
export interface Integration<Needs> {
  readonly name: ProviderName;
  wire(needs: Needs): IntegrationParts | undefined;
}
