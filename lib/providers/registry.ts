import { accountSourceRegistry } from '../connected-accounts/account-source';
import { providerRegistry } from '../devices/providers';
import { tracedProviders } from '../devices/traced-providers';
import type { Deps } from '../ports';
import type { IntegrationParts } from './integration';
import { type SandboxNeeds, sandboxIntegration } from './sandbox';
import { type SeamNeeds, seamIntegration } from './seam';
import { type ZwaveNeeds, zwaveIntegration } from './zwave';

/** Everything the integrations need, stores included. */
type IntegrationNeeds = SandboxNeeds & SeamNeeds & ZwaveNeeds;

/** The integrations of this application, one line each: adding one is a folder with its face and a line here. */
const integrations = (needs: IntegrationNeeds): (IntegrationParts | undefined)[] => [sandboxIntegration.wire(needs), seamIntegration.wire(needs), zwaveIntegration.wire(needs)];

type Stores = 'connectedAccounts' | 'secrets' | 'keypads' | 'clock';

/** How providers reach the world (what they need beyond the stores); tests swap these for fakes or for an upstream of their own. */
export type ProviderWiring = Omit<IntegrationNeeds, Stores>;

/** Every lock provider and account source, wired to the stores they keep state in. */
export function wireProviders(base: Pick<IntegrationNeeds, Stores>, wiring: ProviderWiring): Pick<Deps, 'providers' | 'accountSources'> {
  const wired = integrations({ ...base, ...wiring }).filter((parts) => parts !== undefined);
  return {
    providers: tracedProviders(providerRegistry(wired.map((parts) => parts.provider))),
    accountSources: accountSourceRegistry(Object.fromEntries(wired.flatMap((parts) => (parts.accountSource ? [[parts.provider.name, parts.accountSource]] : [])))),
  };
}
