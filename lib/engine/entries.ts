import { accessCodeEvent } from '../access-codes/events';
import { inRecurringWindow } from '../access-codes/recurring-lifecycle';
import type { AccessCodeRecord } from '../access-codes/schemas';
import type { UnmanagedCodeRecord } from '../access-codes/unmanaged-schemas';
import { countEntry, isUsedUp } from '../access-codes/use-limits';
import type { EntryClaim, EntryReport, EntryResult } from '../devices/entries';
import type { DeviceRecord } from '../devices/schemas';
import { EntryAlreadyRecordedError } from '../errors';
import type { AccessDeniedReason, SeamEvent } from '../events/schemas';
import type { Deps } from '../ports';
import { retry, retryPolicies } from '../retry';

export type EntryDeps = Pick<Deps, 'accessCodes' | 'unmanagedCodes' | 'codeHistory' | 'events' | 'providers' | 'clock' | 'ids' | 'engine'>;

/**
 * The code an entry used: a managed code, one that is gone since (removed while the entry was
 * on its way, as when another entry used it up: the entry is still its own), an unmanaged one,
 * or none Latchkey knows.
 */
type Used = { managed: AccessCodeRecord } | { gone: string } | { unmanaged: UnmanagedCodeRecord } | Record<string, never>;

/** Which code the lock matched: by Latchkey's id, by where the lock keeps it (its keypad listing), or by the PIN it refused. */
async function usedCode(deps: EntryDeps, device: DeviceRecord, report: EntryReport): Promise<Used> {
  const { workspace_id: workspaceId, device_id: deviceId } = device.device;
  const ref = report.provider_ref;
  let id = report.access_code_id ?? (ref === undefined ? undefined : await storedWithRef(deps, workspaceId, deviceId, ref));
  if (id === undefined && ref !== undefined) {
    const entries = (await deps.providers.for(device).listEntries?.(device)) ?? [];
    id = entries.find((e) => e.provider_ref === report.provider_ref)?.access_code_id;
  }
  const managed = id === undefined ? undefined : await deps.accessCodes.get(workspaceId, id);
  if (managed?.access_code.device_id === deviceId) return { managed };
  if (id !== undefined && managed === undefined) {
    const gone = await deps.codeHistory.getGone(workspaceId, id);
    if (gone?.access_code.device_id === deviceId) return { gone: id };
  }
  if (report.provider_ref !== undefined) {
    const unmanaged = (await deps.unmanagedCodes.listByDevice(workspaceId, deviceId, { limit: 1000 })).items.find((u) => u.provider_ref === report.provider_ref);
    if (unmanaged) return { unmanaged };
  }
  if (report.code !== undefined) {
    const holders = await deps.accessCodes.listByPin(workspaceId, deviceId, report.code);
    const holder = holders.find((h) => inWindow(h, report.occurred_at)) ?? holders[0];
    if (holder) return { managed: holder };
  }
  return {};
}

/** The device's code whose provider id is `ref` (an upstream's code id), from the codes stored. */
async function storedWithRef(deps: EntryDeps, workspaceId: string, deviceId: string, ref: string): Promise<string | undefined> {
  let cursor: string | undefined;
  do {
    const page = await deps.accessCodes.list(workspaceId, { deviceId, limit: 200, cursor });
    const found = page.items.find((r) => r.provider_ref === ref);
    if (found) return found.access_code.access_code_id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return undefined;
}

const inWindow = (record: AccessCodeRecord, at: string): boolean => {
  const code = record.access_code;
  const { starts_at, ends_at } = code;
  const inFrame = (starts_at === undefined || starts_at <= at) && (ends_at === undefined || at < ends_at);
  // A recurring code works in its weekly windows only: an entry between them is an expired code.
  return inFrame && (code.recurring_schedule === undefined || inRecurringWindow(code, new Date(at)));
};

/** A Seam lock.unlocked / lock.access_denied event of an entry at the keypad. */
function lockEvent(deps: EntryDeps, device: DeviceRecord, report: EntryReport, fields: Partial<SeamEvent> & Pick<SeamEvent, 'event_type'>): SeamEvent {
  return {
    event_id: deps.ids.uuid(),
    workspace_id: device.device.workspace_id,
    created_at: deps.clock.now().toISOString(),
    occurred_at: report.occurred_at,
    device_id: device.device.device_id,
    connected_account_id: device.device.connected_account_id,
    ...fields,
  };
}

const reasonText: Record<'unknown_code' | 'expired_code', string> = {
  unknown_code: 'The lock does not hold this code',
  expired_code: 'The code is outside its time frame or has no uses left',
};

/**
 * A keypad entry a lock reported: `lock.unlocked` (method keycode) or `lock.access_denied`,
 * with Latchkey's code when one was used. A managed code's entry is counted in the code's own
 * conditional write (exact under concurrency: a lost race reads the code again); its first
 * entry also gives `access_code.first_used`, and the entry that reaches its `max_uses` gives
 * `access_code.use_limit_reached` and starts its removal at once. A report seen before writes
 * nothing (its claim is in the same write).
 */
export async function recordEntry(deps: EntryDeps, device: DeviceRecord, report: EntryReport): Promise<EntryResult> {
  const claim: EntryClaim = { workspace_id: device.device.workspace_id, device_id: device.device.device_id, entry_id: report.entry_id, occurred_at: report.occurred_at };
  try {
    const result = await retry(retryPolicies.versionConflict, () => recordOnce(deps, device, report, claim));
    if (result.removeNow && result.access_code_id !== undefined) await deps.engine.lookNow(claim.workspace_id, result.access_code_id, device);
    return { recorded: true, event_type: result.event_type, ...(result.access_code_id !== undefined && { access_code_id: result.access_code_id }) };
  } catch (error) {
    if (error instanceof EntryAlreadyRecordedError) return { recorded: false };
    throw error;
  }
}

interface Recorded {
  event_type: 'lock.unlocked' | 'lock.access_denied';
  access_code_id?: string;
  removeNow?: boolean;
}

/** An entry that changes no code: its one event, with the code it names (if any), and its claim. */
async function recordUncounted(
  deps: EntryDeps,
  device: DeviceRecord,
  report: EntryReport,
  claim: EntryClaim,
  named: { id?: string; managed?: boolean; denial: AccessDeniedReason },
): Promise<Recorded> {
  const { id, managed, denial } = named;
  const event = report.outcome === 'denied' ? denied(deps, device, report, denial, id) : unlocked(deps, device, report, id, managed === true);
  await deps.events.recordEntry(claim, [event]);
  return { event_type: report.outcome === 'denied' ? 'lock.access_denied' : 'lock.unlocked', ...(id !== undefined && { access_code_id: id }) };
}

async function recordOnce(deps: EntryDeps, device: DeviceRecord, report: EntryReport, claim: EntryClaim): Promise<Recorded> {
  const used = await usedCode(deps, device, report);
  const now = deps.clock.now();
  if ('unmanaged' in used) return recordUncounted(deps, device, report, claim, { id: used.unmanaged.access_code.access_code_id, managed: false, denial: report.reason ?? 'unknown_code' });
  if ('gone' in used) return recordUncounted(deps, device, report, claim, { id: used.gone, managed: true, denial: 'expired_code' });
  if (!('managed' in used)) return recordUncounted(deps, device, report, claim, { denial: 'unknown_code' });
  const record = used.managed;
  const id = record.access_code.access_code_id;
  if (report.outcome === 'denied') {
    const expired = !inWindow(record, report.occurred_at) || isUsedUp(record.access_code);
    await deps.events.recordEntry(claim, [denied(deps, device, report, expired ? 'expired_code' : (report.reason ?? 'unknown_code'), id)]);
    return { event_type: 'lock.access_denied', access_code_id: id };
  }
  const event = unlocked(deps, device, report, id, true);
  const count = countEntry(record, report.occurred_at, now);
  if (count.kind === 'used_up') {
    await deps.events.recordEntry(claim, [event]);
    return { event_type: 'lock.unlocked', access_code_id: id };
  }
  const code = count.next.access_code;
  const limits = { use_count: code.use_count ?? 0, ...(code.max_uses !== undefined && { max_uses: code.max_uses }) };
  const events = [event];
  if (count.firstUse) events.push(accessCodeEvent(deps.ids, code, device.device, 'access_code.first_used', now, limits));
  if (count.limitReached) events.push(accessCodeEvent(deps.ids, code, device.device, 'access_code.use_limit_reached', now, limits));
  for (const e of events) e.occurred_at = report.occurred_at;
  await deps.accessCodes.update(count.next, record, { events, entry: claim });
  return { event_type: 'lock.unlocked', access_code_id: id, removeNow: count.limitReached };
}

/** `lock.unlocked` by keycode, naming the code when Latchkey knows which one. */
const unlocked = (deps: EntryDeps, device: DeviceRecord, report: EntryReport, id: string | undefined, managed: boolean) =>
  lockEvent(deps, device, report, { event_type: 'lock.unlocked', method: 'keycode', ...(id !== undefined && { access_code_id: id, access_code_is_managed: managed }) });

const denied = (deps: EntryDeps, device: DeviceRecord, report: EntryReport, reason: AccessDeniedReason, id?: string) =>
  lockEvent(deps, device, report, {
    event_type: 'lock.access_denied',
    ...(id !== undefined && { access_code_id: id }),
    reason: { reason_code: reason, message: reason === 'unknown_code' || reason === 'expired_code' ? reasonText[reason] : 'Access denied' },
  });
