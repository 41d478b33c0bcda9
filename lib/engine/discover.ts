import type { LockEntry } from '../devices/lock-provider';
import { ProviderError } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError } from '../errors';
import type { Deps } from '../ports';
import { codesOnDevice, unmanagedOnDevice } from '../access-codes/codes-on-device';
import { accessCodeEvent } from '../access-codes/events';
import type { AccessCodeRecord } from '../access-codes/schemas';
import { unmanagedIdOf } from '../access-codes/unmanaged-id';
import type { UnmanagedAccessCode } from '../access-codes/unmanaged-schemas';
import { markNotVerified, markVerified } from './verification';

export type DiscoveryDeps = Pick<Deps, 'accessCodes' | 'unmanagedCodes' | 'providers' | 'clock' | 'ids'>;

/** The reference a managed code has on its lock. */
const refOf = (record: AccessCodeRecord) => record.provider_ref ?? record.access_code.access_code_id;

function unmanagedFrom(device: DeviceRecord, entry: LockEntry, createdAt: string): UnmanagedAccessCode {
  const timeBound = entry.starts_at !== undefined && entry.ends_at !== undefined;
  return {
    workspace_id: device.device.workspace_id,
    access_code_id: unmanagedIdOf(device, entry.provider_ref),
    device_id: device.device.device_id,
    name: entry.name ?? null,
    // A lock or upstream that does not show the PIN lists it as ''.
    code: entry.code === '' ? null : entry.code,
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
 * The managed code a lock's entry is, if any: by the reference stored on the code, by the
 * Latchkey id the lock reports, or, for a code Latchkey is still putting on the lock (no
 * reference stored yet: an upstream create whose id is not written back), by its PIN.
 */
function ownersOf(records: readonly AccessCodeRecord[], settled: (r: AccessCodeRecord) => boolean) {
  const byRef = new Map(records.map((r) => [refOf(r), r]));
  const byId = new Map(records.map((r) => [r.access_code.access_code_id, r]));
  const arriving = new Map(records.flatMap((r) => (r.provider_ref === undefined && !r.offline && r.access_code.code !== null && !settled(r) ? [[r.access_code.code, r] as const] : [])));
  return (entry: LockEntry): AccessCodeRecord | undefined => byRef.get(entry.provider_ref) ?? (entry.access_code_id === undefined ? arriving.get(entry.code) : byId.get(entry.access_code_id));
}

/**
 * Reads a lock's whole keypad once and brings Latchkey's view in line with it: codes nobody
 * set through Latchkey become (or stay, or stop being) unmanaged codes, with their events,
 * and managed codes the lock no longer holds as they were left are made due, so the engine
 * looks at them now. Runs from the engine's reads (one per device per sweep), from inbound
 * lock reports and from the sandbox's simulations, never from API reads. Providers that
 * cannot read a whole keypad are skipped.
 *
 * Latchkey's codes are read before the lock, so a code Latchkey is removing still counts as
 * its own when the lock shows it; a code the lock shows that none of them explains makes
 * them be read once more, since Latchkey may have put it there since (a code created
 * upstream before its upstream id is written back is known by its PIN). Neither is ever
 * taken for a code set outside Latchkey or for a change made at the lock.
 */
export async function discoverCodes(deps: DiscoveryDeps, device: DeviceRecord, sweep?: { intervalMs: number }): Promise<void> {
  const provider = deps.providers.for(device);
  if (!provider.listEntries) return;
  const { workspace_id: workspaceId, device_id: deviceId } = device.device;
  let managed = await codesOnDevice(deps, workspaceId, deviceId);
  let entries: LockEntry[];
  try {
    // What a provider keeps for an offline lock (a hub's last report, an upstream's list) is not the lock: a sweep does not count it as seen.
    if (sweep !== undefined && !device.device.properties.online) throw new ProviderError('device_offline', 'The lock is offline');
    entries = await provider.listEntries(device);
  } catch (error) {
    // An unreachable lock is read again on the next sweep; a sweep warns on codes it has not seen for too long.
    if (!(error instanceof ProviderError)) throw error;
    if (sweep === undefined) return;
    const now = deps.clock.now();
    for (const record of managed) await markNotVerified(deps, record, now, sweep.intervalMs);
    return;
  }
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const known = new Map((await unmanagedOnDevice(deps, workspaceId, deviceId)).map((r) => [r.provider_ref, r]));
  const present = entries.filter((e) => e.state !== 'removing');

  // A code Latchkey left set on the lock, with no work on it due now: the lock should hold it as it is.
  const settled = (r: AccessCodeRecord) => r.access_code.status === 'set' && !r.offline && r.sync === undefined && (r.due_at === undefined || r.due_at > nowIso);
  let ownerOf = ownersOf(managed, settled);
  if (present.some((e) => ownerOf(e) === undefined && !known.has(e.provider_ref))) {
    const since = await codesOnDevice(deps, workspaceId, deviceId);
    const again = new Set(since.map((r) => r.access_code.access_code_id));
    managed = [...managed.filter((r) => !again.has(r.access_code.access_code_id)), ...since];
    ownerOf = ownersOf(managed, settled);
  }
  for (const entry of present) {
    const mine = ownerOf(entry);
    if (mine) {
      // A lock that does not show this code's PIN (an upstream answering `code: null`) shows no change to it either.
      if (!settled(mine) || entry.code === '') continue;
      if (entry.code !== mine.access_code.code) await makeDue(deps, mine, nowIso);
      else if (sweep !== undefined) await markVerified(deps, mine, now, sweep.intervalMs);
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
