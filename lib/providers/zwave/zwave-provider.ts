import * as z from 'zod';
import { retry, retryPolicies, ShadowChangedError } from '../../retry';
import { type CodeHandle, type KeypadEntry, type LockProvider, ProviderError } from '../../devices/lock-provider';
import type { DeviceRecord } from '../../devices/schemas';
import type { DesiredState } from '../../hub-contract/shadow-documents';
import type { HubShadows } from './hub-shadows';
import { changedOnLock, refusedNow, type SlotState, SlotView } from './slots';

/** A Z-Wave lock's provider state: where its shadow is. */
export const zwaveStateSchema = z.object({
  thing_name: z.string().min(1).max(128),
  shadow_name: z.string().min(1).max(64),
  node_id: z.number().int().min(1),
});
export type ZwaveState = z.infer<typeof zwaveStateSchema>;

/**
 * The slot a handle names (a code set at the keypad, being converted to managed or deleted),
 * when no Latchkey code holds it now.
 */
function claimable(v: SlotView, handle: CodeHandle): SlotState | undefined {
  const slot = Number(handle.provider_ref);
  if (!Number.isInteger(slot) || slot < 1 || slot > v.managedSlots) return undefined;
  const state = v.state(slot) ?? { slot };
  return state.desired?.code ? undefined : state;
}

/**
 * Runs a read-then-conditional-write until it wins against other writers of the shadow; one
 * that keeps losing is a transient failure, and the step is left to the next run.
 */
async function writeRetried<T>(work: () => Promise<T>, failure: string): Promise<T> {
  try {
    return await retry(retryPolicies.shadowConflict, work);
  } catch (error) {
    if (error instanceof ShadowChangedError) throw new ProviderError('transient', failure);
    throw error;
  }
}

/**
 * Drives a lock's keypad at the property (local mode's mock locks only: a real lock has a person
 * in front of it). The lock decides and its hub reports the entry, as for any keypad entry.
 */
export interface ZwaveKeypad {
  enter(lock: ZwaveState, code: string): Promise<void>;
}

/**
 * Z-Wave locks behind a hub's edge agent. Latchkey writes the PIN it wants into a slot of the
 * lock's shadow (`desired`); the agent programs it, reads it back and reports what the lock
 * holds (`reported`). Slots are allocated with a write conditioned on the shadow's version, so
 * two codes never get one slot. Status comes from `reported` alone. User Code CC has no
 * schedule, so windows are kept just in time. A change asked while the hub is offline waits in
 * the shadow and applies when the hub reconnects.
 */
export function zwaveProvider(shadows: HubShadows, keypad?: ZwaveKeypad): LockProvider {
  const where = (device: DeviceRecord) => zwaveStateSchema.parse(device.provider_state);
  const view = async (device: DeviceRecord): Promise<SlotView> => {
    const { thing_name: thing, shadow_name: shadow } = where(device);
    const document = await shadows.get(thing, shadow);
    if (!document) throw new ProviderError('device_offline', 'The hub has not reported this lock');
    return new SlotView(document);
  };
  const write = (device: DeviceRecord, v: SlotView, desired: DesiredState) => {
    const { thing_name: thing, shadow_name: shadow } = where(device);
    return shadows.setDesired(thing, shadow, desired, v.version);
  };

  return {
    name: 'zwave',

    traits(device) {
      const { properties } = device.device;
      return {
        codeRules: { lengths: properties.supported_code_lengths, constraints: properties.code_constraints, slotCount: properties.max_active_codes_supported },
        timeWindow: 'just_in_time',
        choosesPin: false,
        canRemoveRemotely: true,
        // Reported changes reach the engine through the hub's shadow documents; the poller is the fallback.
        confirmation: 'webhook',
        verifyAfterMs: 30_000,
        offlineCodes: false,
        // One command at a time per lock: a User Code Set takes the lock about half a second. A
        // hub's controller has one radio and sends one command at a time, whichever lock it is for.
        callLimits: { any: { calls: 1, perMs: 500 }, account: { any: { calls: 2, perMs: 1000 } } },
      };
    },

    program(device, entry, handle) {
      return writeRetried(async () => {
        const v = await view(device);
        const held = v.slotOf(handle.access_code_id) ?? claimable(v, handle);
        const slot = held?.slot ?? v.freeSlot();
        if (slot === undefined) throw new ProviderError('no_space_for_access_code_on_device', 'Every code slot of the lock is in use');
        // Already asked, and the lock has not changed the slot since: nothing to write.
        if (held?.owner === handle.access_code_id && held.desired?.code === entry.code && !changedOnLock(held)) return { provider_ref: String(slot) };
        const key = String(slot);
        if (await write(device, v, { slots: { [key]: entry.code }, owners: { [key]: handle.access_code_id } })) return { provider_ref: key };
        throw new ShadowChangedError();
      }, 'The lock shadow kept changing while a slot was written');
    },

    remove(device, handle) {
      return writeRetried(async () => {
        const v = await view(device);
        const held = v.slotOf(handle.access_code_id) ?? claimable(v, handle);
        if (!held || (held.desired?.code === '' && !changedOnLock(held))) return;
        const key = String(held.slot);
        if (await write(device, v, { slots: { [key]: '' }, owners: { [key]: handle.access_code_id } })) return;
        throw new ShadowChangedError();
      }, 'The lock shadow kept changing while a slot was cleared');
    },

    async read(device, handle: CodeHandle): Promise<KeypadEntry | undefined> {
      const v = await view(device);
      const held = v.slotOf(handle.access_code_id);
      if (!held?.desired) return undefined;
      const base = { access_code_id: handle.access_code_id, provider_ref: String(held.slot) };
      const wanted = held.desired.code;
      const holds = held.reported?.code ?? '';
      if (wanted === '') return holds === '' ? undefined : { ...base, code: holds, state: 'removing' };
      if (holds === wanted) return { ...base, code: holds, state: 'present' };
      if (refusedNow(held)) {
        // Give the slot back: the code will not be on this lock.
        await write(device, v, { slots: { [String(held.slot)]: '' } });
        throw new ProviderError('rejected_pin', 'The lock refused the PIN');
      }
      // Changed at the lock after Latchkey's write: report what the lock holds, the engine decides.
      if (changedOnLock(held)) return holds === '' ? undefined : { ...base, code: holds, state: 'present' };
      return { ...base, code: wanted, state: 'adding' };
    },

    // Door Lock CC through the agent: the request waits in `desired.bolt`, the agent answers in `reported.bolt`.
    bolt: {
      checkAfterMs: 1000,
      async request(device, request) {
        // A request queued for a hub that is away could open the door long after it was asked: refused instead.
        if (!device.device.properties.online) throw new ProviderError('device_offline', "The lock's hub is offline");
        return writeRetried(async () => {
          const v = await view(device);
          if (await write(device, v, { bolt: { request: request.action_attempt_id, locked: request.action === 'lock' } })) return;
          throw new ShadowChangedError();
        }, 'The lock shadow kept changing while the bolt was asked for');
      },
      async check(device, request) {
        const { thing_name: thing, shadow_name: shadow } = where(device);
        const bolt = (await shadows.get(thing, shadow))?.state.reported?.bolt;
        if (bolt?.request !== request.action_attempt_id) return { status: 'pending' };
        return bolt.result === 'done' ? { status: 'done', locked: bolt.locked } : { status: 'failed', message: 'The lock did not move its bolt' };
      },
    },

    async listEntries(device) {
      const v = await view(device);
      return v.held().map((h) => {
        const state = v.slotOf(h.owner ?? '');
        const managed = h.owner !== undefined && state?.desired?.code === h.code;
        return { provider_ref: String(h.slot), code: h.code, ...(managed && h.owner !== undefined ? { access_code_id: h.owner } : {}) };
      });
    },

    // The entry reaches Latchkey as the hub's keypad report (lock -> agent -> hub events), recorded once from there.
    ...(keypad && {
      keypad: {
        async enterCode(device, { code }) {
          await keypad.enter(where(device), code);
          return undefined;
        },
      },
    }),
  };
}
