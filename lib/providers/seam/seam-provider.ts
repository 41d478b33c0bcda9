import * as z from 'zod';
import type { CodeHandle, DesiredEntry, KeypadEntry, LockEntry, LockProvider } from '../../devices/lock-provider';
import { ProviderError } from '../../devices/lock-provider';
import type { DeviceRecord } from '../../devices/schemas';
import type { SeamAccounts } from './seam-account';
import type { SeamUpstream, UpstreamAccessCode } from './seam-upstream';

/** A Seam device's provider state, written by the device sync. */
export const seamDeviceStateSchema = z.object({
  /** The account delivers Seam's webhooks, so changes are confirmed by them (polling stays the fallback). */
  webhooks: z.boolean(),
});
export type SeamDeviceState = z.infer<typeof seamDeviceStateSchema>;

const normalTime = (value: string | null | undefined) => (value ? new Date(value).toISOString() : undefined);

// Seam keeps a scheduled code `unset` until its window starts: it is in Seam's hands, so it counts as held.
const stateOf = (upstream: UpstreamAccessCode): KeypadEntry['state'] => (upstream.status === 'removing' ? 'removing' : upstream.status === 'set' || upstream.status === 'unset' ? 'present' : 'adding');

/** An upstream code as the engine sees a keypad entry. */
function toEntry(accessCodeId: string, upstream: UpstreamAccessCode): KeypadEntry {
  const starts_at = normalTime(upstream.starts_at);
  const ends_at = normalTime(upstream.ends_at);
  const state = stateOf(upstream);
  return {
    access_code_id: accessCodeId,
    code: upstream.code ?? '',
    ...(upstream.name ? { name: upstream.name } : {}),
    ...(starts_at !== undefined && { starts_at }),
    ...(ends_at !== undefined && { ends_at }),
    state,
    provider_ref: upstream.access_code_id,
    errors: upstream.errors.map((e) => ({ code: e.error_code, message: e.message })),
    warnings: upstream.warnings.map((w) => ({ code: w.warning_code, message: w.message })),
  };
}

/**
 * An upstream code as a whole-keypad listing shows it. Its place is the upstream's code id;
 * which Latchkey code it is (if any) the engine works out from the ids it stored.
 */
function toLockEntry(upstream: UpstreamAccessCode): LockEntry {
  const starts_at = normalTime(upstream.starts_at);
  const ends_at = normalTime(upstream.ends_at);
  return {
    provider_ref: upstream.access_code_id,
    code: upstream.code ?? '',
    state: stateOf(upstream),
    ...(upstream.name ? { name: upstream.name } : {}),
    ...(starts_at !== undefined && { starts_at }),
    ...(ends_at !== undefined && { ends_at }),
  };
}

const differs = (upstream: UpstreamAccessCode, entry: DesiredEntry) =>
  upstream.code !== entry.code || normalTime(upstream.starts_at) !== entry.starts_at || normalTime(upstream.ends_at) !== entry.ends_at || (entry.name !== undefined && upstream.name !== entry.name);

/**
 * Locks in a customer's own Seam workspace. Seam keeps time windows itself, so time-bound
 * codes are passed through with their window. Exactly once upstream: Seam has no idempotency
 * keys, so a code without a known upstream id is looked for by its PIN on the upstream device
 * before one is created (the PIN is unique per device on both sides), and a create that loses
 * a race to a concurrent one adopts the code that won.
 */
export function seamProvider(accounts: SeamAccounts, options: { pollMs: number }): LockProvider {
  const upstreamDeviceId = (device: DeviceRecord) => device.provider_device_id;

  const find = async (upstream: SeamUpstream, device: DeviceRecord, handle: Partial<CodeHandle>, pin?: string) => {
    if (handle.provider_ref !== undefined) {
      const known = await upstream.getAccessCode(handle.provider_ref);
      if (known) return known;
    }
    const wanted = pin ?? handle.code;
    if (wanted === undefined) return undefined;
    return (await upstream.listAccessCodes(upstreamDeviceId(device))).find((c) => c.code === wanted);
  };

  return {
    name: 'seam',

    traits(device) {
      const { webhooks } = seamDeviceStateSchema.parse(device.provider_state);
      const { properties } = device.device;
      return {
        codeRules: { lengths: properties.supported_code_lengths, constraints: properties.code_constraints, slotCount: properties.max_active_codes_supported },
        timeWindow: 'native',
        choosesPin: properties.code_constraints.some((c) => c.constraint_type === 'cannot_specify_pin_code'),
        canRemoveRemotely: true,
        confirmation: webhooks ? 'webhook' : 'polling',
        // With webhooks a change is usually seen sooner; the poll is what guarantees it is seen.
        verifyAfterMs: options.pollMs,
        offlineCodes: device.device.can_program_offline_access_codes,
        showsNames: true,
        // Seam's published limits per device: 10 creations, 10 updates and 20 deletions a minute.
        callLimits: { create: { calls: 10, perMs: 60_000 }, update: { calls: 10, perMs: 60_000 }, delete: { calls: 20, perMs: 60_000 } },
      };
    },

    async program(device, entry, handle) {
      const upstream = await accounts.forDevice(device);
      const params = {
        code: entry.code,
        ...(entry.name !== undefined && { name: entry.name }),
        ...(entry.starts_at !== undefined && { starts_at: entry.starts_at, ends_at: entry.ends_at }),
      };
      const existing = await find(upstream, device, handle);
      if (existing) {
        if (differs(existing, entry)) await upstream.updateAccessCode(existing.access_code_id, params);
        return { provider_ref: existing.access_code_id };
      }
      try {
        return { provider_ref: (await upstream.createAccessCode({ device_id: upstreamDeviceId(device), ...params })).access_code_id };
      } catch (error) {
        if (!(error instanceof ProviderError) || error.kind !== 'rejected_pin') throw error;
        // A concurrent or earlier attempt may have created it after all: adopt that code.
        const raced = await find(upstream, device, {}, entry.code);
        if (raced) return { provider_ref: raced.access_code_id };
        throw error;
      }
    },

    async remove(device, handle) {
      const upstream = await accounts.forDevice(device);
      const existing = await find(upstream, device, handle);
      if (existing) await upstream.deleteAccessCode(existing.access_code_id);
    },

    async read(device, handle) {
      const upstream = await accounts.forDevice(device);
      const existing = await find(upstream, device, handle);
      return existing && toEntry(handle.access_code_id, existing);
    },

    // One upstream /access_codes/list per device: the sweep and the engine's whole-lock reads see every code Seam holds for it.
    async listEntries(device) {
      const upstream = await accounts.forDevice(device);
      return (await upstream.listAccessCodes(upstreamDeviceId(device))).map(toLockEntry);
    },

    // Through the upstream's own /locks routes; done once the upstream device shows the bolt moved.
    bolt: {
      checkAfterMs: 1000,
      async request(device, request) {
        await (await accounts.forDevice(device)).moveBolt(upstreamDeviceId(device), request.action);
      },
      async check(device, request) {
        const upstream = await (await accounts.forDevice(device)).getDevice(upstreamDeviceId(device));
        if (upstream === undefined) return { status: 'failed', message: 'The device is gone from the Seam workspace' };
        const locked = upstream.properties.locked;
        return locked === (request.action === 'lock') ? { status: 'done', locked } : { status: 'pending' };
      },
    },
  };
}
