import { pendingAttempt, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import { InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import { requireLock } from './lock-queries';
import type { SimulateKeypadEntryInput } from './schemas';

type SimulateDeps = Pick<Deps, 'devices' | 'providers' | 'actionAttempts' | 'engine' | 'clock' | 'ids'>;

/**
 * /locks/simulate/keypad_code_entry: someone types `code` at a sandbox lock (or a Z-Wave mock lock in local mode). The lock decides
 * (only a code it holds, inside its window), its provider reports the entry, and Latchkey
 * records it as any lock's report: `lock.unlocked` or `lock.access_denied`, counted on the code.
 */
export async function simulateKeypadEntry(deps: SimulateDeps, principal: Principal, input: SimulateKeypadEntryInput): Promise<ActionAttempt> {
  const device = await requireLock(deps, principal, input.device_id);
  const keypad = deps.providers.for(device).keypad;
  if (!keypad) throw InvalidInputError.forField('device_id', 'Only sandbox locks (and Z-Wave mock locks in local mode) take a simulated keypad entry');
  const now = deps.clock.now();
  const report = await keypad.enterCode(device, { entry_id: deps.ids.uuid(), code: input.code });
  // A lock that reports the entry itself (a Z-Wave mock lock, through its hub) has it recorded from that report alone.
  if (report) await deps.engine.recordEntry(device, report);
  const done = succeeded(pendingAttempt(deps.ids, principal.workspace_id, 'SIMULATE_KEYPAD_CODE_ENTRY', now, input.device_id), {});
  await deps.actionAttempts.put(done);
  return done.action_attempt;
}
