import * as z from 'zod';
import type { Clock } from '../../ports';
import { type CodeHandle, type DesiredEntry, type KeypadEntry, type LockEntry, type LockProvider, ProviderError } from '../../devices/lock-provider';
import type { SandboxKeypadStore, SandboxSlot } from './keypad-store';
import { algoPinCodes } from './sandbox-offline';
import type { DeviceRecord } from '../../devices/schemas';
import { inWeeklyWindow } from '../../devices/weekly-schedule';

/** How a sandbox lock behaves: its provider state, set when the workspace's locks are built. */
export const sandboxStateSchema = z.object({
  /** The lock keeps its own schedule, so time-bound codes can be loaded ahead. */
  native_scheduling: z.boolean(),
  /** The lock also keeps weekly schedules, so a recurring code goes on once with its schedule. */
  weekly_scheduling: z.boolean().optional(),
  /** Share of provider operations that fail transiently, 0..1. */
  failure_rate: z.number().min(0).max(1),
  /** The secret an offline-capable lock shares with its algorithm (hex); never shown or logged. */
  offline_secret: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type SandboxState = z.infer<typeof sandboxStateSchema>;

export interface SandboxProviderOptions {
  keypads: SandboxKeypadStore;
  clock: Clock;
  /** How long a lock takes to apply a change. */
  latencyMs: number;
  /** Source of randomness for the flaky locks' failures. */
  random?: () => number;
}

/**
 * Sandbox locks that behave like real ones: changes take `latencyMs` to apply, an offline
 * lock refuses work, a full keypad has no space, a flaky lock fails a share of operations,
 * a natively scheduling lock drops a code by itself at its ends_at, and the bolt locks and
 * unlocks remotely after the same latency.
 */
export function sandboxProvider({ keypads, clock, latencyMs, random = Math.random }: SandboxProviderOptions): LockProvider {
  const settled = (slot: SandboxSlot, nowIso: string): KeypadEntry | undefined => {
    const done = slot.settles_at <= nowIso;
    if (slot.state === 'removing' && done) return undefined;
    const state = slot.state === 'adding' && done ? 'present' : slot.state;
    // A natively scheduling lock drops the code by itself at the end of its window.
    if (slot.ends_at !== undefined && slot.ends_at <= nowIso && state !== 'adding') return undefined;
    const { workspace_id: _w, device_id: _d, settles_at: _s, external: _e, ...entry } = slot;
    return { ...entry, state };
  };
  const state = (device: DeviceRecord) => sandboxStateSchema.parse(device.provider_state);
  const guard = (device: DeviceRecord) => {
    if (!device.device.properties.online) throw new ProviderError('device_offline', 'The lock is offline');
    if (random() < state(device).failure_rate) throw new ProviderError('transient', 'The lock did not answer in time');
  };
  const ids = (device: DeviceRecord) => [device.device.workspace_id, device.device.device_id] as const;
  /**
   * A code's slot is keyed by its id: the sandbox's references for codes set outside Latchkey
   * are UUIDs, which become the ids of those codes (see unmanagedIdOf), adopted ones included.
   */
  const slotKey = (handle: CodeHandle) => handle.access_code_id;

  return {
    name: 'sandbox',
    traits: (device) => ({
      codeRules: {
        lengths: device.device.properties.supported_code_lengths,
        constraints: device.device.properties.code_constraints,
        slotCount: device.device.properties.max_active_codes_supported,
      },
      timeWindow: state(device).native_scheduling ? 'native' : 'just_in_time',
      weeklySchedules: state(device).weekly_scheduling === true,
      choosesPin: device.device.properties.code_constraints.some((c) => c.constraint_type === 'cannot_specify_pin_code'),
      canRemoveRemotely: true,
      confirmation: 'read_back',
      // Check back once the lock has had time to apply the change.
      verifyAfterMs: Math.max(250, latencyMs),
      offlineCodes: device.device.can_program_offline_access_codes && state(device).offline_secret !== undefined,
      // One command at a time per lock: a command takes the lock's latency, so one code call in each such window.
      ...(latencyMs > 0 && { callLimits: { any: { calls: 1, perMs: latencyMs } } }),
    }),

    offlineCodes: algoPinCodes((device) => state(device).offline_secret),

    async program(device, entry: DesiredEntry) {
      guard(device);
      const [workspaceId, deviceId] = ids(device);
      if (!device.device.properties.supported_code_lengths.includes(entry.code.length)) {
        throw new ProviderError('rejected_pin', 'The lock rejected the PIN format');
      }
      const settlesAt = new Date(clock.now().getTime() + latencyMs).toISOString();
      const slot: SandboxSlot = { ...entry, workspace_id: workspaceId, device_id: deviceId, state: 'adding', settles_at: settlesAt };
      if (!(await keypads.put(slot, device.device.properties.max_active_codes_supported))) {
        throw new ProviderError('no_space_for_access_code_on_device', 'The lock has no free code slot');
      }
      return {};
    },

    async remove(device, handle) {
      guard(device);
      const accessCodeId = slotKey(handle);
      const [workspaceId, deviceId] = ids(device);
      const existing = await keypads.get(workspaceId, deviceId, accessCodeId);
      if (!existing) return;
      const settlesAt = new Date(clock.now().getTime() + latencyMs).toISOString();
      await keypads.replace({ ...existing, state: 'removing', settles_at: settlesAt });
    },

    async listEntries(device) {
      const [workspaceId, deviceId] = ids(device);
      const nowIso = clock.now().toISOString();
      const entries: LockEntry[] = [];
      for (const slot of await keypads.list(workspaceId, deviceId)) {
        const entry = settled(slot, nowIso);
        if (!entry) {
          await keypads.delete(workspaceId, deviceId, slot.access_code_id);
          continue;
        }
        const { access_code_id: ref, code, name, starts_at, ends_at, state } = entry;
        entries.push({
          provider_ref: ref,
          code,
          state,
          ...(!slot.external && { access_code_id: ref }),
          ...(name !== undefined && { name }),
          ...(starts_at !== undefined && { starts_at }),
          ...(ends_at !== undefined && { ends_at }),
        });
      }
      return entries;
    },

    // The bolt moves `latencyMs` after it is asked; an offline lock refuses, the flaky one fails a share.
    bolt: {
      checkAfterMs: Math.max(250, latencyMs),
      async request(device) {
        guard(device);
      },
      async check(_device, request) {
        if (clock.now().getTime() < Date.parse(request.requested_at) + latencyMs) return { status: 'pending' };
        return { status: 'done', locked: request.action === 'lock' };
      },
    },

    simulator: {
      async putExternalCode(device, { ref, code, name }) {
        const [workspaceId, deviceId] = ids(device);
        const slot: SandboxSlot = { workspace_id: workspaceId, device_id: deviceId, access_code_id: ref, code, name, state: 'present', settles_at: clock.now().toISOString(), external: true };
        return keypads.put(slot, device.device.properties.max_active_codes_supported);
      },
      async changeExternally(device, handle, change) {
        const [workspaceId, deviceId] = ids(device);
        const key = slotKey(handle);
        if (change.change_type === 'removed') return keypads.delete(workspaceId, deviceId, key);
        const slot = await keypads.get(workspaceId, deviceId, key);
        if (!slot) return;
        await keypads.replace({ ...slot, code: change.code, state: 'present', settles_at: clock.now().toISOString(), external: true });
      },
    },

    keypad: {
      async enterCode(device, { entry_id, code }) {
        const [workspaceId, deviceId] = ids(device);
        const nowIso = clock.now().toISOString();
        const at = { entry_id, occurred_at: nowIso };
        for (const slot of await keypads.list(workspaceId, deviceId)) {
          const entry = settled(slot, nowIso);
          // A code still being added is not on the lock yet; one being removed no longer opens it.
          if (entry?.code !== code || entry.state !== 'present') continue;
          // A natively scheduling lock holds a code ahead of its window and refuses it until then.
          if (entry.starts_at !== undefined && nowIso < entry.starts_at) return { ...at, outcome: 'denied', provider_ref: slot.access_code_id, reason: 'expired_code' };
          // A lock that keeps a weekly schedule refuses the code between its windows.
          if (entry.recurring_schedule !== undefined && !inWeeklyWindow(entry.recurring_schedule, entry, clock.now()))
            return { ...at, outcome: 'denied', provider_ref: slot.access_code_id, reason: 'expired_code' };
          return { ...at, outcome: 'unlocked', provider_ref: slot.access_code_id };
        }
        return { ...at, outcome: 'denied', code, reason: 'unknown_code' };
      },
    },

    async read(device, handle) {
      const accessCodeId = slotKey(handle);
      const [workspaceId, deviceId] = ids(device);
      const slot = await keypads.get(workspaceId, deviceId, accessCodeId);
      if (!slot) return undefined;
      const entry = settled(slot, clock.now().toISOString());
      // The slot is free again once its code is gone: removed, or expired on a scheduling lock.
      if (!entry) await keypads.delete(workspaceId, deviceId, accessCodeId);
      return entry;
    },
  };
}

/** Sandbox keypads in memory, for unit tests and LATCHKEY_STORE=memory. */
export function memoryKeypadStore(): SandboxKeypadStore {
  const slots = new Map<string, SandboxSlot>();
  const key = (w: string, d: string, id: string) => `${w}|${d}|${id}`;
  return {
    async get(w, d, id) {
      const s = slots.get(key(w, d, id));
      return s && { ...s };
    },
    async put(slot, capacity) {
      const k = key(slot.workspace_id, slot.device_id, slot.access_code_id);
      const used = [...slots.values()].filter((s) => s.workspace_id === slot.workspace_id && s.device_id === slot.device_id).length;
      if (!slots.has(k) && used >= capacity) return false;
      slots.set(k, { ...slot });
      return true;
    },
    async replace(slot) {
      slots.set(key(slot.workspace_id, slot.device_id, slot.access_code_id), { ...slot });
    },
    async delete(w, d, id) {
      slots.delete(key(w, d, id));
    },
    async list(w, d) {
      return [...slots.values()].filter((s) => s.workspace_id === w && s.device_id === d).map((s) => ({ ...s }));
    },
  };
}
