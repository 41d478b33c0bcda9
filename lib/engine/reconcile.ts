import type { CallLimits, CodeCall, CodeHandle, LockProvider, RateLimit } from '../devices/lock-provider';
import { ProviderError } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError, DuplicateAccessCodeError } from '../errors';
import { recordProviderCall, recordProviderError, recordQueueAge } from '../observability';
import { retry, retryPolicies } from '../retry';
import { codesOnDevice } from '../access-codes/codes-on-device';
import type { AccessCodeRecord } from '../access-codes/schemas';
import type { Clock } from '../ports';
import { type LockRead, callFailed, callMade, decide, offlinePinAssigned, offlineSlotFull, paced } from './decide';
import { mayBeOnLock } from './pin-handover';
import { type AssignOfflinePin, type Call, type EngineDeps, commit } from './outcome';
import { type Turns, directTurns } from './turns';

export type { EngineDeps } from './outcome';

/**
 * One step of the lifecycle engine for one code: read what the lock holds, decide, make the
 * provider call the decision needs, and commit the result with a conditional write on the
 * code's version. Safe to run twice or to crash anywhere: the next run reads the lock again
 * and converges.
 */
export async function reconcileAccessCode(
  deps: EngineDeps,
  workspaceId: string,
  accessCodeId: string,
  known: {
    record?: AccessCodeRecord;
    device?: (deviceId: string) => Promise<DeviceRecord | undefined>;
    /** The lock just reported a change to this code's slot: look now, whatever the code's due time says. */
    dueNow?: boolean;
    /** How the step takes its turns at the provider's limits: the poller's waiting lines, or the pacing directly. */
    turns?: Turns;
  } = {},
): Promise<void> {
  const loadDevice = known.device ?? ((deviceId: string) => deps.devices.get(workspaceId, deviceId));
  const turns = known.turns ?? directTurns(deps.pacing);
  // The poller passes the record it just read from the due index; a lost race reads it again.
  let listed = known.record;
  try {
    await retry(retryPolicies.engineConflict, async () => {
      const record = listed ?? (await deps.accessCodes.get(workspaceId, accessCodeId));
      listed = undefined;
      const now = deps.clock.now();
      if (!record || (!known.dueNow && (record.due_at === undefined || record.due_at > now.toISOString()))) return;
      const device = await loadDevice(record.access_code.device_id);
      if (!device) await deps.accessCodes.remove(record, { events: [] });
      else await step(deps, record, device, now, turns);
    });
  } catch (error) {
    // A step that keeps losing to other writers is taken again when it is next due.
    if (!(error instanceof ConflictError)) throw error;
  }
}

async function step(deps: EngineDeps, record: AccessCodeRecord, device: DeviceRecord, now: Date, turns: Turns): Promise<void> {
  const provider = deps.providers.for(device);
  const traits = provider.traits(device);
  const handle: CodeHandle = {
    access_code_id: record.access_code.access_code_id,
    ...(record.provider_ref !== undefined && { provider_ref: record.provider_ref }),
    ...(record.access_code.code !== null && { code: record.access_code.code }),
  };
  const lock = record.offline ? undefined : await readLock(provider, device, handle);
  const code = record.access_code;
  // Only time-bound codes share a PIN, with stays that do not overlap theirs; a code that may be on the lock already waits for none.
  const shares = code.type === 'time_bound' && code.code !== null && !record.offline && !mayBeOnLock(record);
  const samePin = shares && code.code !== null ? await deps.accessCodes.listByPin(code.workspace_id, code.device_id, code.code, code.access_code_id) : [];
  const outcome = decide({ record, traits, settings: deps.settings, now, samePin, ...(lock && { lock }) });
  if (outcome.kind === 'write' || outcome.kind === 'assign_offline_pin') turns.passed(handle.access_code_id);
  if (outcome.kind === 'write') return commit(deps, device, now, outcome);
  if (outcome.kind === 'assign_offline_pin') return assignOfflinePin(deps, device, provider, outcome, now);
  const made = await call(provider, device, handle, outcome, { deps, now, turns });
  if (made !== undefined) await commit(deps, device, now, made);
}

async function readLock(provider: LockProvider, device: DeviceRecord, handle: CodeHandle): Promise<LockRead> {
  try {
    return { held: await provider.read(device, handle) };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    recordProviderError(error.kind);
    return { error };
  }
}

/**
 * The turns a call takes, in order: the device's limit for its kind and for any call, then its
 * account's (or hub's). A device's key is `<provider>#<workspace>#<device>#<kind>`, an account's
 * `<provider>#<workspace>#ACCOUNT#<connected account>#<kind>`.
 */
export function turnsFor(provider: string, device: DeviceRecord, kind: CodeCall, limits: CallLimits): { key: string; limit: RateLimit }[] {
  const { workspace_id: ws, device_id: deviceId, connected_account_id: accountId } = device.device;
  const scopes = [
    { at: `${provider}#${ws}#${deviceId}`, counts: limits },
    { at: `${provider}#${ws}#ACCOUNT#${accountId}`, counts: limits.account ?? {} },
  ];
  return scopes.flatMap(({ at, counts }) =>
    ([kind, 'any'] as const).flatMap((counted) => {
      const limit = counts[counted];
      return limit === undefined ? [] : [{ key: `${at}#${counted}`, limit }];
    }),
  );
}

/**
 * How long a grant to a code at one version stands for it: the longest an engine worker runs
 * (the Lambda timeouts in lib/triggers.ts). Two steps of one code at once (a request's first
 * step and a poller tick, say) take one call between them; the other leaves the code to it. A
 * worker that dies holding it leaves the code due, taken again once the hold ends.
 */
export const callHoldMs = 60_000;

/**
 * Takes the call's turns in its line's order: undefined when every one is granted, or else when
 * the call may come (the first refused turn makes it wait), or `held` when another worker holds
 * this code's call.
 */
async function takeTurns(provider: LockProvider, device: DeviceRecord, outcome: Call, turns: Turns, clock: Clock): Promise<string | 'held' | undefined> {
  const kind = outcome.kind === 'remove' ? 'delete' : outcome.record.provider_ref === undefined ? 'create' : 'update';
  const wanted = turnsFor(provider.name, device, kind, provider.traits(device).callLimits ?? {});
  const id = outcome.record.access_code.access_code_id;
  if (wanted.length === 0) {
    turns.passed(id);
    return undefined;
  }
  const holder = { id: `${id}@${outcome.record.version}`, holdMs: callHoldMs };
  await turns.before(id);
  try {
    for (const { key, limit } of wanted) {
      // Dated when taken, just before the call: the step's `now` is from before its read of the lock (and its wait in line), which may have been slow.
      const turn = await turns.take(key, limit, clock.now(), holder);
      if (!turn.granted) return turn.held ? 'held' : turn.retryAt;
    }
    return undefined;
  } finally {
    turns.passed(id);
  }
}

/** Asks the lock for the difference, and decides what its answer means; nothing to write when another worker holds the call. */
async function call(provider: LockProvider, device: DeviceRecord, handle: CodeHandle, outcome: Call, { deps, now, turns }: { deps: EngineDeps; now: Date; turns: Turns }) {
  const waitUntil = await takeTurns(provider, device, outcome, turns, deps.clock);
  if (waitUntil === 'held') return undefined;
  if (waitUntil !== undefined) {
    recordProviderCall(provider.name, 'throttled');
    return paced(outcome, waitUntil, now);
  }
  recordProviderCall(provider.name, 'made');
  // How long the call waited past the code's first due time (0 for a call made on time).
  const { queued_since: queuedSince, due_at: dueAt } = outcome.record;
  const since = queuedSince ?? dueAt;
  if (since !== undefined) recordQueueAge(provider.name, deps.clock.now().getTime() - Date.parse(since));
  try {
    if (outcome.kind === 'remove') {
      await provider.remove(device, handle);
      return callMade(outcome, undefined, provider.traits(device), now);
    }
    const programmed = await provider.program(device, outcome.desired, handle);
    return callMade(outcome, programmed.provider_ref, provider.traits(device), now);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    recordProviderError(error.kind);
    return callFailed(outcome.record, error, { removing: outcome.kind === 'remove', events: outcome.events }, deps.settings, now);
  }
}

/** Computes an offline code's PIN at the first free place of its slot; another code taking a place's PIN first moves it to the next. */
async function assignOfflinePin(deps: EngineDeps, device: DeviceRecord, provider: LockProvider, outcome: AssignOfflinePin, now: Date): Promise<void> {
  const { record, window } = outcome;
  const code = record.access_code;
  const taken = new Set(
    (await codesOnDevice(deps, code.workspace_id, code.device_id))
      .filter((r) => r.offline?.slot === window.slot && r.access_code.access_code_id !== code.access_code_id)
      .flatMap((r) => (r.offline?.place === undefined ? [] : [r.offline.place])),
  );
  const offline = provider.offlineCodes;
  for (let place = 0; offline && place < window.places; place++) {
    if (taken.has(place)) continue;
    const pin = await offline.pin(device, { ...window, warnings: [] }, place);
    try {
      return await commit(deps, device, now, offlinePinAssigned(outcome, place, pin, now));
    } catch (error) {
      if (!(error instanceof DuplicateAccessCodeError)) throw error;
    }
  }
  return commit(deps, device, now, offlineSlotFull(outcome, now));
}
