import { traced } from '../observability';
import type { LockProvider, ProviderRegistry } from './lock-provider';

const tracedCalls = new Set<string | symbol>(['program', 'remove', 'read', 'listEntries']);

/** The registry's providers with each call to a lock traced as its own subsegment (`sandbox.program`, `seam.read`, ...). */
export function tracedProviders(registry: ProviderRegistry): ProviderRegistry {
  const wrapped = new WeakMap<LockProvider, LockProvider>();
  const wrap = (provider: LockProvider): LockProvider =>
    new Proxy(provider, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || !tracedCalls.has(prop)) return value;
        return (...args: unknown[]) => traced(`${target.name}.${String(prop)}`, () => Promise.resolve(value.apply(target, args)));
      },
    });
  return {
    for(device) {
      const provider = registry.for(device);
      let tracedProvider = wrapped.get(provider);
      if (tracedProvider === undefined) {
        tracedProvider = wrap(provider);
        wrapped.set(provider, tracedProvider);
      }
      return tracedProvider;
    },
  };
}
