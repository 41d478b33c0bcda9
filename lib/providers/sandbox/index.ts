import type { Integration } from '../integration';
import type { Clock } from '../../ports';
import type { SandboxKeypadStore } from './keypad-store';
import { sandboxProvider } from './sandbox-provider';

export type { SandboxKeypadStore, SandboxSlot } from './keypad-store';
export { memoryKeypadStore, sandboxProvider } from './sandbox-provider';
export { buildSandboxDevices, sandboxAccount, sandboxModels } from './sandbox-devices';

/** What sandbox locks need: where their keypads are kept, and how they behave. */
export interface SandboxNeeds {
  keypads: SandboxKeypadStore;
  clock: Clock;
  /** How long a sandbox lock takes to apply a change. */
  sandboxLatencyMs: number;
  /** Randomness for the sandbox's flaky lock. */
  random?: () => number;
}

/** Simulated locks whose keypads live in the table: every workspace's first devices. */
export const sandboxIntegration: Integration<SandboxNeeds> = {
  name: 'sandbox',
  wire: (needs) => ({
    provider: sandboxProvider({ keypads: needs.keypads, clock: needs.clock, latencyMs: needs.sandboxLatencyMs, ...(needs.random && { random: needs.random }) }),
  }),
};
