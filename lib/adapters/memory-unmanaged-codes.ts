import type { PinHolder } from '../access-codes/pin-holders';
import type { AccessCodeRecord } from '../access-codes/schemas';
import type { UnmanagedCodeRecord } from '../access-codes/unmanaged-schemas';
import { ConflictError, InvalidInputError } from '../errors';
import type { UnmanagedCodeRepository, WriteExtras } from '../ports';
import { copy } from './memory-copy';

const scoped = (workspaceId: string, id: string) => `${workspaceId}|${id}`;
const pinKey = (workspaceId: string, deviceId: string, code: string) => `${workspaceId}|${deviceId}|${code}`;

/** What the unmanaged codes share with the managed codes of the same memory store. */
export interface ManagedCodesInMemory {
  codes: Map<string, AccessCodeRecord>;
  pins: Map<string, PinHolder[]>;
  devicePins: Map<string, Set<string>>;
  checkCreation(records: readonly AccessCodeRecord[]): void;
  storeCreated(record: AccessCodeRecord): void;
  applyExtras(extras: WriteExtras | undefined): void;
  /** Commits the running request's idempotency key with a write, after the write's checks (see memory-idempotency-keys.ts). */
  commitKey(written: { access_codes?: readonly object[] }, extras: WriteExtras | undefined): void;
}

/** Unmanaged codes in memory, with the DynamoDB adapter's PIN claims and conversion. */
export function memoryUnmanagedCodes({ codes, pins, devicePins, checkCreation, storeCreated, applyExtras, commitKey }: ManagedCodesInMemory): UnmanagedCodeRepository {
  const unmanaged = new Map<string, UnmanagedCodeRecord>();
  /** An unmanaged code claims its PIN where no managed code holds it, as in DynamoDB. */
  const unmanagedPin = (r: UnmanagedCodeRecord) => (r.access_code.code === null ? undefined : pinKey(r.access_code.workspace_id, r.access_code.device_id, r.access_code.code));
  const claimUnmanaged = (r: UnmanagedCodeRecord) => {
    const pin = unmanagedPin(r);
    if (pin === undefined || pins.has(pin) || r.access_code.code === null) return;
    // No span: an unmanaged code holds its PIN for as long as it is on the lock.
    pins.set(pin, [{ access_code_id: r.access_code.access_code_id }]);
    const deviceKey = `${r.access_code.workspace_id}|${r.access_code.device_id}`;
    devicePins.set(deviceKey, (devicePins.get(deviceKey) ?? new Set()).add(r.access_code.code));
  };
  const releaseUnmanaged = (r: UnmanagedCodeRecord) => {
    const pin = unmanagedPin(r);
    const holders = pin === undefined ? [] : (pins.get(pin) ?? []);
    if (pin === undefined || holders.length !== 1 || holders[0]?.access_code_id !== r.access_code.access_code_id || r.access_code.code === null) return;
    pins.delete(pin);
    devicePins.get(`${r.access_code.workspace_id}|${r.access_code.device_id}`)?.delete(r.access_code.code);
  };
  return {
    async get(workspaceId, id) {
      const r = unmanaged.get(scoped(workspaceId, id));
      return r && copy(r);
    },
    async listByDevice(workspaceId, deviceId, query) {
      const all = [...unmanaged.values()]
        .filter((r) => r.access_code.workspace_id === workspaceId && r.access_code.device_id === deviceId)
        .sort((a, b) => a.access_code.created_at.localeCompare(b.access_code.created_at) || a.access_code.access_code_id.localeCompare(b.access_code.access_code_id));
      const start = query.cursor === undefined ? 0 : all.findIndex((r) => r.access_code.access_code_id === query.cursor) + 1;
      if (start === 0 && query.cursor !== undefined) throw InvalidInputError.forField('page_cursor', 'Invalid or expired page cursor');
      const items = all.slice(start, start + query.limit);
      const last = items.at(-1);
      return { items: copy(items), nextCursor: start + query.limit < all.length && last ? last.access_code.access_code_id : null };
    },
    async create(record, extras) {
      const key = scoped(record.access_code.workspace_id, record.access_code.access_code_id);
      if (unmanaged.has(key) || codes.has(key)) return false;
      commitKey({ access_codes: [record.access_code] }, extras);
      unmanaged.set(key, copy(record));
      claimUnmanaged(record);
      applyExtras(extras);
      return true;
    },
    async replace(record) {
      const key = scoped(record.access_code.workspace_id, record.access_code.access_code_id);
      const before = unmanaged.get(key);
      // Removed meanwhile: it stays removed.
      if (!before) return;
      releaseUnmanaged(before);
      unmanaged.set(key, copy(record));
      claimUnmanaged(record);
    },
    async remove(workspaceId, id, extras) {
      const before = unmanaged.get(scoped(workspaceId, id));
      if (!before) return false;
      commitKey({}, extras);
      releaseUnmanaged(before);
      unmanaged.delete(scoped(workspaceId, id));
      applyExtras(extras);
      return true;
    },
    async convert(record, managed, extras) {
      const key = scoped(record.access_code.workspace_id, record.access_code.access_code_id);
      const held = unmanaged.get(key);
      if (!held) throw new ConflictError();
      releaseUnmanaged(held);
      try {
        checkCreation([managed]);
      } catch (error) {
        claimUnmanaged(held);
        throw error;
      }
      commitKey({}, extras);
      unmanaged.delete(key);
      storeCreated(managed);
      applyExtras(extras);
    },
  };
}
