import { ProviderError } from '../../devices/lock-provider';
import type { ZwaveKeypad } from '../../providers/zwave';
import type { MockHub } from './mock-hub-client';

/** What a simulated entry needs of the mock hub. */
type KeypadHub = Pick<MockHub, 'slots' | 'unlockAtKeypad' | 'denyAtKeypad'>;

/**
 * The mock locks' keypads, for `/locks/simulate/keypad_code_entry`: a PIN the lock holds opens it
 * at its slot, any other is refused. The lock's notification then travels the real path (agent,
 * IoT stand-in, hub events). Built before the application, bound to the mock hub once it runs.
 */
export function mockKeypad(): ZwaveKeypad & { attach(hub: KeypadHub): void } {
  let hub: KeypadHub | undefined;
  return {
    attach(running) {
      hub = running;
    },
    async enter({ node_id }, code) {
      if (!hub) throw new ProviderError('device_offline', 'The mock hub is not running');
      const slot = Object.entries(await hub.slots(node_id)).find(([, held]) => held === code)?.[0];
      if (slot === undefined) await hub.denyAtKeypad(node_id);
      else await hub.unlockAtKeypad(node_id, Number(slot));
    },
  };
}
