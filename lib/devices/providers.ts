import { type LockProvider, ProviderError, type ProviderRegistry } from './lock-provider';
import type { DeviceRecord, ProviderName } from './schemas';

/**
 * Picks each device's provider by the name its record carries. A device whose provider is not
 * wired into this process (a Z-Wave lock where no hub transport is configured, say) gets a
 * provider that answers `provider_unavailable`, which the engine retries with backoff.
 */
export function providerRegistry(providers: readonly LockProvider[]): ProviderRegistry {
  const byName = new Map<ProviderName, LockProvider>(providers.map((p) => [p.name, p]));
  return {
    for(device: DeviceRecord): LockProvider {
      return byName.get(device.provider) ?? unwired(device.provider);
    },
  };
}

function unwired(name: ProviderName): LockProvider {
  const fail = async (): Promise<never> => {
    throw new ProviderError('provider_unavailable', `The ${name} provider is not configured here`);
  };
  return {
    name,
    traits: (device) => ({
      codeRules: {
        lengths: device.device.properties.supported_code_lengths,
        constraints: device.device.properties.code_constraints,
        slotCount: device.device.properties.max_active_codes_supported,
      },
      timeWindow: 'just_in_time',
      choosesPin: false,
      canRemoveRemotely: true,
      confirmation: 'polling',
      verifyAfterMs: 60_000,
      offlineCodes: false,
    }),
    program: fail,
    remove: fail,
    read: fail,
  };
}
