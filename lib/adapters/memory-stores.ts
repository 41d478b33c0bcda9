import { memoryCallPacing } from './memory-call-pacing';
import { defaultCodeHistoryDays } from '../settings';
import { createMemoryAccessStores } from './memory-access';
import { memoryWebhooks } from './memory-webhooks';
import type { AccessCodeRecord } from '../access-codes/schemas';
import type { ActionAttemptRecord } from '../action-attempts/schemas';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError, EntryAlreadyRecordedError, InvalidInputError } from '../errors';
import type { EntryClaim } from '../devices/entries';
import type { SeamEvent } from '../events/schemas';
import { type DueSweep, type ListAccessCodesQuery, type Page, type Stores, type WriteExtras, sweepJoinedAt } from '../ports';
import type { ApiKeyRecord, Workspace } from '../workspaces/schemas';
import type { MemoryOutbox } from './memory-outbox';
import { dueShardOf, dueShardOfCode } from './dynamodb-table';
import { memoryConnectedAccounts } from './memory-connected-accounts';
import { memoryIdempotencyKeys } from './memory-idempotency-keys';
import { matchesSearch } from '../access-codes/search';
import { matchesEventQuery } from '../events/filters';
import { memoryCodeHistory } from './memory-code-history';
import { memoryUnmanagedCodes } from './memory-unmanaged-codes';
import type { OccupiedSpan } from '../access-codes/occupied-span';
import { type PinHolder, claimMoves, heldDuring, holderOf, withHolder, withoutHolder } from '../access-codes/pin-holders';

import { copy } from './memory-copy';
const pinKey = (workspaceId: string, deviceId: string, code: string) => `${workspaceId}|${deviceId}|${code}`;
const cckKey = (workspaceId: string, key: string) => `${workspaceId}|${key}`;
const byCreation = (a: AccessCodeRecord, b: AccessCodeRecord) =>
  a.access_code.created_at.localeCompare(b.access_code.created_at) || a.access_code.access_code_id.localeCompare(b.access_code.access_code_id);

/**
 * In-memory stores with the same semantics as the DynamoDB adapter (atomic PIN claims,
 * versioned writes, workspace scoping). For unit tests and `LATCHKEY_STORE=memory`; nothing
 * survives the process.
 */
export function createMemoryStores({ codeHistoryDays = defaultCodeHistoryDays, outbox }: { codeHistoryDays?: number; outbox?: MemoryOutbox } = {}): Stores {
  const codes = new Map<string, AccessCodeRecord>();
  /** Each PIN's holders on its device, over time (see pin-holders.ts). */
  const pins = new Map<string, PinHolder[]>();
  /** Whether a code holds `code` on the device, at any time or during `during`. */
  const pinHeld = (workspaceId: string, deviceId: string, code: string, during?: OccupiedSpan) => heldDuring(pins.get(pinKey(workspaceId, deviceId, code)) ?? [], during);
  /** PINs per device, so listPins does not walk every code of every workspace. */
  const devicePins = new Map<string, Set<string>>();
  const claimPin = (r: AccessCodeRecord) => {
    const { workspace_id, device_id, code } = r.access_code;
    if (code === null) return;
    const pin = pinKey(workspace_id, device_id, code);
    pins.set(pin, withHolder(pins.get(pin) ?? [], holderOf(r.access_code)));
    const key = `${workspace_id}|${device_id}`;
    devicePins.set(key, (devicePins.get(key) ?? new Set()).add(code));
  };
  const freePin = (r: AccessCodeRecord) => {
    const { workspace_id, device_id, code, access_code_id } = r.access_code;
    if (code === null) return;
    const pin = pinKey(workspace_id, device_id, code);
    const rest = withoutHolder(pins.get(pin) ?? [], access_code_id);
    if (rest.length > 0) return void pins.set(pin, rest);
    pins.delete(pin);
    devicePins.get(`${workspace_id}|${device_id}`)?.delete(code);
  };
  /** Common code keys: the PIN each is bound to and the codes sharing it; a key with no code left binds nothing. */
  const commonCodes = new Map<string, { code: string; ids: Set<string> }>();
  const history = memoryCodeHistory(codeHistoryDays);
  const devices = new Map<string, DeviceRecord>();
  /** Each lock's place in the sweep. */
  const sweeps = new Map<string, DueSweep>();
  const attempts = new Map<string, ActionAttemptRecord>();
  const events = new Map<string, SeamEvent>();
  const workspaces = new Map<string, Workspace>();
  const apiKeys = new Map<string, ApiKeyRecord>();
  const scoped = (workspaceId: string, id: string) => `${workspaceId}|${id}`;
  const idempotencyKeys = memoryIdempotencyKeys();
  /** The running request's idempotency key, committed with a write once its checks passed. */
  const commitWritten = (written: { access_codes?: readonly object[] }, extras: WriteExtras | undefined) =>
    idempotencyKeys.commitPending({ ...written, action_attempts: (extras?.attempts ?? []).map((a) => a.action_attempt) });
  const commitKey = (records: readonly AccessCodeRecord[], extras: WriteExtras | undefined) => commitWritten({ access_codes: records.map((r) => r.access_code) }, extras);

  const codeKey = (r: AccessCodeRecord) => scoped(r.access_code.workspace_id, r.access_code.access_code_id);
  const pinOf = (r: AccessCodeRecord) => {
    const { workspace_id, device_id, code } = r.access_code;
    return code === null ? undefined : pinKey(workspace_id, device_id, code);
  };
  /** Keypad entries recorded (DynamoDB's entry claims): a repeated entry writes nothing. */
  const entries = new Set<string>();
  const entryKey = (c: EntryClaim) => `${c.workspace_id}|${c.device_id}|${c.entry_id}`;
  const checkEntry = (extras: WriteExtras | undefined) => {
    if (extras?.entry !== undefined && entries.has(entryKey(extras.entry))) throw new EntryAlreadyRecordedError();
  };
  const applyExtras = (extras: WriteExtras | undefined) => {
    if (extras?.entry !== undefined) entries.add(entryKey(extras.entry));
    for (const a of extras?.attempts ?? []) attempts.set(scoped(a.workspace_id, a.action_attempt.action_attempt_id), copy(a));
    for (const e of extras?.events ?? []) events.set(scoped(e.workspace_id, e.event_id), copy(e));
    history.record(extras?.events ?? []);
    outbox?.append(extras?.events ?? []);
  };
  const boundPin = (workspaceId: string, key: string) => {
    const bound = commonCodes.get(cckKey(workspaceId, key));
    return bound && bound.ids.size > 0 ? bound.code : undefined;
  };
  /** Checks every PIN and key condition of a creation before anything is written. */
  const checkCreation = (records: readonly AccessCodeRecord[]) => {
    const claimed = new Map<string, PinHolder[]>();
    const keyed = new Map<string, string>();
    for (const record of records) {
      const pin = pinOf(record);
      if (pin !== undefined) claimed.set(pin, withHolder(claimed.get(pin) ?? pins.get(pin) ?? [], holderOf(record.access_code)));
      const { workspace_id, common_code_key: key, code } = record.access_code;
      if (key === null || code === null) continue;
      const bound = keyed.get(cckKey(workspace_id, key)) ?? boundPin(workspace_id, key);
      if (bound !== undefined && bound !== code) throw new ConflictError('common_code_key is bound to another code');
      keyed.set(cckKey(workspace_id, key), code);
    }
  };
  const storeCreated = (record: AccessCodeRecord) => {
    const { workspace_id, common_code_key: key, code, access_code_id } = record.access_code;
    if (key !== null && code !== null) {
      const bound = commonCodes.get(cckKey(workspace_id, key));
      const ids = bound && bound.ids.size > 0 ? bound.ids : new Set<string>();
      commonCodes.set(cckKey(workspace_id, key), { code, ids: ids.add(access_code_id) });
    }
    claimPin(record);
    codes.set(codeKey(record), copy(record));
  };
  const assertVersion = (previous: AccessCodeRecord) => {
    if (codes.get(codeKey(previous))?.version !== previous.version) throw new ConflictError();
  };

  const unmanagedCodes = memoryUnmanagedCodes({ codes, pins, devicePins, checkCreation, storeCreated, applyExtras, commitKey: commitWritten });

  return {
    codeHistory: history.repository,
    ...createMemoryAccessStores(idempotencyKeys.commitPending),
    unmanagedCodes,
    webhooks: memoryWebhooks(idempotencyKeys.commitPending),
    idempotencyKeys: idempotencyKeys.repository,
    accessCodes: {
      async get(workspaceId, accessCodeId) {
        const r = codes.get(scoped(workspaceId, accessCodeId));
        return r && copy(r);
      },
      async listByPin(workspaceId, deviceId, code, except) {
        return (pins.get(pinKey(workspaceId, deviceId, code)) ?? []).flatMap((h) => {
          const r = h.access_code_id === except ? undefined : codes.get(scoped(workspaceId, h.access_code_id));
          return r ? [copy(r)] : [];
        });
      },
      async getMany(workspaceId, ids) {
        return ids.flatMap((id) => {
          const r = codes.get(scoped(workspaceId, id));
          return r ? [copy(r)] : [];
        });
      },
      async list(workspaceId, query: ListAccessCodesQuery): Promise<Page<AccessCodeRecord>> {
        const all = [...codes.values()]
          .filter((r) => r.access_code.workspace_id === workspaceId)
          .filter((r) => query.deviceId === undefined || r.access_code.device_id === query.deviceId)
          .filter((r) => query.search === undefined || matchesSearch(r.access_code, query.search))
          .sort(byCreation);
        const start = query.cursor === undefined ? 0 : all.findIndex((r) => r.access_code.access_code_id === query.cursor) + 1;
        if (start === 0 && query.cursor !== undefined) throw InvalidInputError.forField('page_cursor', 'Invalid or expired page cursor');
        const items = all.slice(start, start + query.limit);
        const last = items.at(-1);
        const hasMore = start + query.limit < all.length;
        return { items: copy(items), nextCursor: hasMore && last ? last.access_code.access_code_id : null };
      },
      async listPins(workspaceId, deviceId, during) {
        const held = [...(devicePins.get(`${workspaceId}|${deviceId}`) ?? [])];
        // devicePins holds a PIN exactly while some code holds it (claimPin/freePin): with no span, each is in use as is.
        if (during === undefined) return held;
        return held.filter((code) => pinHeld(workspaceId, deviceId, code, during));
      },
      async pinsHeld(workspaceId, deviceId, candidates, during) {
        return new Set(candidates.filter((code) => pinHeld(workspaceId, deviceId, code, during)));
      },
      async getCommonCodePin(workspaceId, key) {
        return boundPin(workspaceId, key);
      },
      async listByCommonCodeKey(workspaceId, key) {
        const ids = boundPin(workspaceId, key) === undefined ? [] : [...(commonCodes.get(cckKey(workspaceId, key))?.ids ?? [])];
        return ids.sort().flatMap((id) => {
          const r = codes.get(scoped(workspaceId, id));
          return r ? [copy(r)] : [];
        });
      },
      async create(record, extras) {
        checkCreation([record]);
        commitKey([record], extras);
        storeCreated(record);
        applyExtras(extras);
      },
      async createMany(records, extras) {
        checkCreation(records);
        commitKey(records, extras);
        records.forEach(storeCreated);
        applyExtras(extras);
      },
      async update(next, previous, extras) {
        checkEntry(extras);
        assertVersion(previous);
        const [newPin, moves] = [pinOf(next), claimMoves(previous.access_code, next.access_code)];
        if (newPin !== undefined && moves) withHolder(pins.get(newPin) ?? [], holderOf(next.access_code));
        const { workspace_id, common_code_key: key, code, access_code_id } = next.access_code;
        const bound = key === null ? undefined : commonCodes.get(cckKey(workspace_id, key));
        if (bound && code !== null && code !== bound.code) {
          // A key's PIN follows its code only while that code is the key's one code.
          if (bound.ids.size !== 1 || !bound.ids.has(access_code_id)) throw new ConflictError('common_code_key is bound to another code');
          bound.code = code;
        }
        commitKey([next], extras);
        if (moves) {
          freePin(previous);
          claimPin(next);
        }
        codes.set(codeKey(next), copy(next));
        applyExtras(extras);
      },
      async remove(previous, extras) {
        assertVersion(previous);
        commitKey([], extras);
        freePin(previous);
        const { workspace_id, common_code_key: key, access_code_id } = previous.access_code;
        if (key !== null) commonCodes.get(cckKey(workspace_id, key))?.ids.delete(access_code_id);
        codes.delete(codeKey(previous));
        history.gone(previous.access_code, extras?.events?.[0]?.occurred_at ?? new Date().toISOString());
        applyExtras(extras);
      },
      async listDue(shard, now, limit) {
        return copy(
          [...codes.values()]
            .filter((r) => r.due_at !== undefined && r.due_at <= now && dueShardOfCode(r) === shard)
            .sort((a, b) => (a.due_at ?? '').localeCompare(b.due_at ?? ''))
            .slice(0, limit),
        );
      },
    },
    devices: {
      async get(workspaceId, deviceId) {
        const r = devices.get(scoped(workspaceId, deviceId));
        return r && copy(r);
      },
      async list(workspaceId, { deviceIds, limit }) {
        return copy(
          [...devices.values()]
            .filter((r) => r.device.workspace_id === workspaceId)
            .filter((r) => deviceIds === undefined || deviceIds.includes(r.device.device_id))
            .slice(0, limit),
        );
      },
      async put(record) {
        const { workspace_id, device_id } = record.device;
        devices.set(scoped(workspace_id, device_id), copy(record));
        if (!sweeps.has(scoped(workspace_id, device_id))) sweeps.set(scoped(workspace_id, device_id), { workspace_id, device_id, due_at: sweepJoinedAt });
      },
      async remove(workspaceId, deviceId) {
        devices.delete(scoped(workspaceId, deviceId));
        sweeps.delete(scoped(workspaceId, deviceId));
      },
      async listSweepDue(shard, now, limit) {
        return [...sweeps.values()]
          .filter((s) => s.due_at <= now && dueShardOf(s.device_id) === shard)
          .sort((a, b) => a.due_at.localeCompare(b.due_at))
          .slice(0, limit)
          .map((s) => ({ ...s }));
      },
      async moveSweep(sweep, next) {
        const key = scoped(sweep.workspace_id, sweep.device_id);
        if (sweeps.get(key)?.due_at !== sweep.due_at) return false;
        sweeps.set(key, { ...sweep, due_at: next });
        return true;
      },
    },

    connectedAccounts: memoryConnectedAccounts(idempotencyKeys.commitPending),
    actionAttempts: {
      async get(workspaceId, id) {
        const r = attempts.get(scoped(workspaceId, id));
        return r && copy(r);
      },
      async put(record) {
        attempts.set(scoped(record.workspace_id, record.action_attempt.action_attempt_id), copy(record));
      },
    },
    pacing: memoryCallPacing(),
    lockActions: {
      async start(attempt) {
        const key = scoped(attempt.workspace_id, attempt.action_attempt.action_attempt_id);
        if (attempts.has(key)) throw new ConflictError();
        idempotencyKeys.commitPending({ action_attempts: [attempt.action_attempt] });
        attempts.set(key, copy(attempt));
      },
      async finish(attempt, finished, device) {
        const key = scoped(attempt.workspace_id, attempt.action_attempt.action_attempt_id);
        if (attempts.get(key)?.action_attempt.status !== 'pending') throw new ConflictError();
        if (device && !devices.has(scoped(device.device.workspace_id, device.device.device_id))) throw new ConflictError();
        if (device) devices.set(scoped(device.device.workspace_id, device.device.device_id), copy(device));
        applyExtras({ attempts: [attempt], events: [...finished] });
      },
    },
    events: {
      async recordEntry(entry, list) {
        checkEntry({ entry });
        applyExtras({ entry, events: [...list] });
      },
      async get(workspaceId, eventId) {
        const e = events.get(scoped(workspaceId, eventId));
        return e && copy(e);
      },
      async list(workspaceId, query) {
        return copy(
          [...events.values()]
            .filter((e) => e.workspace_id === workspaceId && matchesEventQuery(e, query))
            .sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || b.event_id.localeCompare(a.event_id))
            .slice(0, query.limit),
        );
      },
    },
    workspaces: {
      async create(workspace) {
        if (workspaces.has(workspace.workspace_id)) throw new ConflictError('Workspace exists');
        workspaces.set(workspace.workspace_id, copy(workspace));
      },
      async get(workspaceId) {
        const w = workspaces.get(workspaceId);
        return w && copy(w);
      },
      async list() {
        return copy([...workspaces.values()]);
      },
      async putApiKey(record) {
        apiKeys.set(record.key_hash, copy(record));
      },
      async findApiKeyByHash(keyHash) {
        const k = apiKeys.get(keyHash);
        return k && copy(k);
      },
      async listApiKeys(workspaceId) {
        return copy([...apiKeys.values()].filter((k) => k.workspace_id === workspaceId));
      },
      async revokeApiKey(workspaceId, apiKeyId) {
        const found = [...apiKeys.values()].find((k) => k.workspace_id === workspaceId && k.api_key_id === apiKeyId);
        if (found) apiKeys.delete(found.key_hash);
        return found !== undefined;
      },
    },
  };
}
