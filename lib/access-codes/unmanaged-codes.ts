import { createHash } from 'node:crypto';
import { failed, pendingAttempt, succeeded } from '../action-attempts/action-attempts';
import type { ActionAttempt } from '../action-attempts/schemas';
import { type LockEntry, ProviderError } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError, DuplicateAccessCodeError, InvalidInputError, accessCodeNotFound } from '../errors';
import type { Deps } from '../ports';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { appearanceFor } from './appearance';
import { requireDevice } from './assign-pin';
import { accessCodeEvent } from './events';
import { codesOnDevice } from './offline-codes';
import type { AccessCodeRecord } from './schemas';
import { matchesSearch } from './search';
import type { ConvertToManagedInput, DeleteUnmanagedInput, GetUnmanagedInput, ListUnmanagedInput, SimulateUnmanagedInput, UnmanagedAccessCode, UnmanagedCodeRecord } from './unmanaged-schemas';

type DiscoveryDeps = Pick<Deps, 'accessCodes' | 'unmanagedCodes' | 'providers' | 'clock' | 'ids'>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id an unmanaged code keeps for as long as it is on the lock: the provider's reference
 * when it is a UUID, else a UUID derived from the device and that reference, so every
 * discovery of one code names it alike.
 */
export function unmanagedIdOf(device: DeviceRecord, ref: string): string {
  if (uuidPattern.test(ref)) return ref.toLowerCase();
  const h = createHash('sha256').update(`${device.device.workspace_id}|${device.device.device_id}|${ref}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Every unmanaged code known on a device. */
async function unmanagedOnDevice(deps: Pick<Deps, 'unmanagedCodes'>, workspaceId: string, deviceId: string): Promise<UnmanagedCodeRecord[]> {
  const records: UnmanagedCodeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.unmanagedCodes.listByDevice(workspaceId, deviceId, { limit: 1000, cursor });
    records.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return records;
}

/** The reference a managed code has on its lock. */
export const refOf = (record: AccessCodeRecord) => record.provider_ref ?? record.access_code.access_code_id;

function unmanagedFrom(device: DeviceRecord, entry: LockEntry, createdAt: string): UnmanagedAccessCode {
  const timeBound = entry.starts_at !== undefined && entry.ends_at !== undefined;
  return {
    workspace_id: device.device.workspace_id,
    access_code_id: unmanagedIdOf(device, entry.provider_ref),
    device_id: device.device.device_id,
    name: entry.name ?? null,
    code: entry.code,
    type: timeBound ? 'time_bound' : 'ongoing',
    status: timeBound && entry.starts_at !== undefined && entry.starts_at > createdAt ? 'unset' : 'set',
    created_at: createdAt,
    ...(timeBound && { starts_at: entry.starts_at, ends_at: entry.ends_at }),
    errors: [],
    warnings: [],
    is_managed: false,
  };
}

const sameOnLock = (a: UnmanagedAccessCode, b: UnmanagedAccessCode) => a.code === b.code && a.name === b.name && a.starts_at === b.starts_at && a.ends_at === b.ends_at && a.status === b.status;

/**
 * Reads a lock's whole keypad once and brings Latchkey's view in line with it: codes nobody
 * set through Latchkey become (or stay, or stop being) unmanaged codes, with their events,
 * and managed codes the lock no longer holds as they were left are made due, so the engine
 * looks at them now. Runs from the engine's reads (one per device per sweep) and from the
 * sandbox's simulations, never from API reads. Providers that cannot read a whole keypad
 * are skipped.
 */
export async function discoverCodes(deps: DiscoveryDeps, device: DeviceRecord): Promise<void> {
  const provider = deps.providers.for(device);
  if (!provider.listEntries) return;
  const { workspace_id: workspaceId, device_id: deviceId } = device.device;
  let entries: LockEntry[];
  try {
    entries = await provider.listEntries(device);
  } catch (error) {
    // An unreachable lock is read again on the next sweep.
    if (error instanceof ProviderError) return;
    throw error;
  }
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const managed = await codesOnDevice(deps, workspaceId, deviceId);
  const byRef = new Map(managed.map((r) => [refOf(r), r]));
  const known = new Map((await unmanagedOnDevice(deps, workspaceId, deviceId)).map((r) => [r.provider_ref, r]));
  const present = entries.filter((e) => e.state !== 'removing');

  // A code Latchkey left set on the lock, with no work on it due now: the lock should hold it as it is.
  const settled = (r: AccessCodeRecord) => r.access_code.status === 'set' && !r.offline && r.sync === undefined && (r.due_at === undefined || r.due_at > nowIso);
  const byId = new Map(managed.map((r) => [r.access_code.access_code_id, r]));
  for (const entry of present) {
    const mine = byRef.get(entry.provider_ref) ?? (entry.access_code_id === undefined ? undefined : byId.get(entry.access_code_id));
    if (mine) {
      if (settled(mine) && entry.code !== mine.access_code.code) await makeDue(deps, mine, nowIso);
      continue;
    }
    const found = known.get(entry.provider_ref);
    const seen = unmanagedFrom(device, entry, found?.access_code.created_at ?? nowIso);
    if (!found) {
      const events = [accessCodeEvent(deps.ids, seen, device.device, 'access_code.unmanaged.created', now)];
      await deps.unmanagedCodes.create({ access_code: seen, provider_ref: entry.provider_ref }, { events });
    } else if (!sameOnLock(found.access_code, seen)) {
      await deps.unmanagedCodes.replace({ ...found, access_code: { ...found.access_code, ...seen } });
    }
  }
  const onLock = new Set(present.map((e) => e.provider_ref));
  for (const [ref, gone] of known) {
    if (onLock.has(ref)) continue;
    const events = [accessCodeEvent(deps.ids, gone.access_code, device.device, 'access_code.unmanaged.removed', now)];
    await deps.unmanagedCodes.remove(workspaceId, gone.access_code.access_code_id, { events });
  }
  for (const record of managed) {
    if (settled(record) && !onLock.has(refOf(record))) await makeDue(deps, record, nowIso);
  }
}

/** Asks the engine to look at a code now (it may have been changed on the lock). */
async function makeDue(deps: Pick<Deps, 'accessCodes'>, record: AccessCodeRecord, nowIso: string): Promise<void> {
  try {
    await deps.accessCodes.update({ ...record, version: record.version + 1, due_at: nowIso }, record);
  } catch (error) {
    // Written meanwhile: whoever wrote it is already at work on it.
    if (!(error instanceof ConflictError)) throw error;
  }
}

async function requireUnmanaged(deps: Pick<Deps, 'unmanagedCodes' | 'devices'>, principal: Principal, accessCodeId: string): Promise<UnmanagedCodeRecord> {
  const record = await deps.unmanagedCodes.get(principal.workspace_id, accessCodeId);
  if (!record || !(await grantsDeviceId(deps, principal, record.access_code.device_id))) throw accessCodeNotFound();
  return record;
}

/** A device's unmanaged codes as last discovered: read from the table only, never from the lock. */
export async function listUnmanagedCodes(deps: Pick<Deps, 'unmanagedCodes' | 'devices'>, principal: Principal, input: ListUnmanagedInput) {
  await requireDevice(deps, principal, input.device_id);
  if (input.search === undefined) {
    const page = await deps.unmanagedCodes.listByDevice(principal.workspace_id, input.device_id, { limit: input.limit, cursor: input.page_cursor });
    return { access_codes: page.items.map((r) => r.access_code), next_page_cursor: page.nextCursor };
  }
  const search = input.search;
  const all = await unmanagedOnDevice(deps, principal.workspace_id, input.device_id);
  return {
    access_codes: all
      .map((r) => r.access_code)
      .filter((c) => matchesSearch(c, search))
      .slice(0, input.limit),
    next_page_cursor: null,
  };
}

export async function getUnmanagedCode(deps: Pick<Deps, 'unmanagedCodes' | 'devices'>, principal: Principal, input: GetUnmanagedInput): Promise<UnmanagedAccessCode> {
  if (input.access_code_id !== undefined) {
    const record = await requireUnmanaged(deps, principal, input.access_code_id);
    if ((input.device_id !== undefined && record.access_code.device_id !== input.device_id) || (input.code !== undefined && record.access_code.code !== input.code)) {
      throw accessCodeNotFound();
    }
    return record.access_code;
  }
  const { device_id: deviceId, code } = input;
  if (deviceId === undefined || code === undefined) throw accessCodeNotFound();
  await requireDevice(deps, principal, deviceId);
  const found = (await unmanagedOnDevice(deps, principal.workspace_id, deviceId)).find((r) => r.access_code.code === code);
  if (!found) throw accessCodeNotFound();
  return found.access_code;
}

/** Takes an unmanaged code off its lock, and forgets it. */
export async function deleteUnmanagedCode(
  deps: Pick<Deps, 'unmanagedCodes' | 'devices' | 'providers' | 'actionAttempts' | 'clock' | 'ids'>,
  principal: Principal,
  input: DeleteUnmanagedInput,
): Promise<ActionAttempt> {
  const record = await requireUnmanaged(deps, principal, input.access_code_id);
  const device = await requireDevice(deps, principal, record.access_code.device_id);
  const now = deps.clock.now();
  const attempt = pendingAttempt(deps.ids, principal.workspace_id, 'DELETE_ACCESS_CODE', now, device.device.device_id);
  try {
    await deps.providers.for(device).remove(device, { access_code_id: record.access_code.access_code_id, provider_ref: record.provider_ref });
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const done = failed(attempt, { type: error.kind === 'device_offline' ? 'device_offline' : 'failed_to_remove_from_device', message: error.message });
    await deps.actionAttempts.put(done);
    return done.action_attempt;
  }
  const done = succeeded(attempt, {});
  const events = [accessCodeEvent(deps.ids, record.access_code, device.device, 'access_code.unmanaged.removed', now)];
  await deps.unmanagedCodes.remove(principal.workspace_id, record.access_code.access_code_id, { attempts: [done], events });
  return done.action_attempt;
}

/**
 * Makes Latchkey manage a code it found on a lock: the code keeps its id and PIN, and turns
 * `set` (with `access_code.unmanaged.converted_to_managed`) once the engine has read it back
 * from the lock; if it is gone from the lock by then, the conversion fails with
 * `access_code.unmanaged.failed_to_convert_to_managed`.
 */
export async function convertToManaged(deps: Pick<Deps, 'unmanagedCodes' | 'accessCodes' | 'devices' | 'clock'>, principal: Principal, input: ConvertToManagedInput): Promise<void> {
  const unmanaged = await requireUnmanaged(deps, principal, input.access_code_id);
  const device = await requireDevice(deps, principal, unmanaged.access_code.device_id);
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const code = unmanaged.access_code;
  const managed: AccessCodeRecord = {
    access_code: {
      workspace_id: code.workspace_id,
      access_code_id: code.access_code_id,
      device_id: code.device_id,
      name: code.name,
      code: code.code,
      common_code_key: null,
      type: code.type,
      status: 'setting',
      created_at: nowIso,
      ...(code.starts_at !== undefined && { starts_at: code.starts_at, ends_at: code.ends_at }),
      errors: [],
      warnings: [],
      is_managed: true,
      is_backup: false,
      is_backup_access_code_available: false,
      is_external_modification_allowed: input.is_external_modification_allowed ?? input.allow_external_modification ?? false,
      is_one_time_use: false,
      is_offline_access_code: false,
      is_scheduled_on_device: false,
      is_waiting_for_code_assignment: false,
      pulled_backup_access_code_id: null,
      pending_mutations: [{ mutation_code: 'creating', message: 'Converting the access code to a managed access code', created_at: nowIso }],
      appearance: await appearanceFor(deps, device.device, code.name, code.access_code_id),
    },
    version: 0,
    prefer_native_scheduling: true,
    attempt_for_offline_device: true,
    due_at: nowIso,
    pending_action_attempts: [],
    provider_ref: unmanaged.provider_ref,
    converting: true,
  };
  try {
    await deps.unmanagedCodes.convert(unmanaged, managed);
  } catch (error) {
    if (error instanceof DuplicateAccessCodeError) throw InvalidInputError.forField('access_code_id', 'A managed code on this device already has this PIN');
    if (error instanceof ConflictError) throw accessCodeNotFound();
    throw error;
  }
}

/** Sandbox only: puts a code on the lock as a person at its keypad would, and discovers it. */
export async function simulateUnmanagedCode(deps: DiscoveryDeps & Pick<Deps, 'devices'>, principal: Principal, input: SimulateUnmanagedInput): Promise<UnmanagedAccessCode> {
  const device = await requireDevice(deps, principal, input.device_id);
  const provider = deps.providers.for(device);
  if (!provider.simulator || !provider.listEntries) throw InvalidInputError.forField('device_id', 'Only sandbox locks can simulate codes set outside Latchkey');
  if (await deps.accessCodes.getByPin(principal.workspace_id, device.device.device_id, input.code)) throw new DuplicateAccessCodeError();
  const ref = deps.ids.uuid();
  if (!(await provider.simulator.putExternalCode(device, { ref, code: input.code, name: input.name }))) {
    throw InvalidInputError.forField('device_id', 'The lock has no free code slot');
  }
  await discoverCodes(deps, device);
  const found = await deps.unmanagedCodes.get(principal.workspace_id, unmanagedIdOf(device, ref));
  if (!found) throw new Error('A simulated code was not discovered');
  return found.access_code;
}
