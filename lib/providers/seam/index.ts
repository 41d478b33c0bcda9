import type { Integration } from '../integration';
import type { Clock, Deps } from '../../ports';
import { seamAccounts } from './seam-account';
import { seamAccountSource } from './seam-devices';
import { seamProvider } from './seam-provider';
import type { SeamUpstreamFactory } from './seam-upstream';

export { connectSeamAccount, type ConnectSeamInput } from './connect-seam-account';
export { lazySeamUpstream } from './lazy-upstream';
export { receiveSeamWebhook, type WebhookDeps } from './receive-seam-webhook';
export { accountSecretName, seamProductionEndpoint } from './seam-account';
export { type SeamConnection, type SeamUpstream, type SeamUpstreamFactory, type UpstreamAccessCode, type UpstreamDevice, upstreamFailure } from './seam-upstream';
export { seamWebhookVerifier, type WebhookVerifier } from './seam-webhooks';

/** What a customer's Seam workspaces need: their accounts and credentials, and how to reach Seam. */
export interface SeamNeeds extends Pick<Deps, 'connectedAccounts' | 'secrets'> {
  clock: Clock;
  seamUpstream: SeamUpstreamFactory;
  /** How long after asking a Seam upstream for a change its code is checked. */
  seamPollMs: number;
}

/** Locks behind a customer's own Seam workspace, reached through its API. */
export const seamIntegration: Integration<SeamNeeds> = {
  name: 'seam',
  wire: (needs) => {
    const accounts = seamAccounts({ connectedAccounts: needs.connectedAccounts, secrets: needs.secrets, upstream: needs.seamUpstream });
    return { provider: seamProvider(accounts, { pollMs: needs.seamPollMs }), accountSource: seamAccountSource(accounts, needs.clock) };
  },
};
