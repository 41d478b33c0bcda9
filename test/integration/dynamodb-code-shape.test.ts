import { randomUUID } from 'node:crypto';
import { type ConsumedCapacity, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AccessCodeRecord } from '../../lib/access-codes/schemas';
import type { ActionAttemptRecord } from '../../lib/action-attempts/schemas';
import { accessCodeKeys, actionAttemptKeys, codeHistoryKeys } from '../../lib/adapters/dynamodb-keys';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import type { Stores } from '../../lib/ports';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { accessCodeFixture, actionAttemptFixture, eventFixture, fixtureTime } from '../support/fixtures';

/*
 * A code is stored without the fields that hold their usual value (lib/adapters/dynamodb-code-doc.ts)
 * and read back whole; items stored whole before that read the same.
 */

let table: TestTable;
let stores: Stores;

beforeAll(async () => {
  table = await startTestTable();
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName, codeHistoryDays: 7 });
});

afterAll(async () => {
  await table?.stop();
});

const scope = () => ({ ws: randomUUID(), device: randomUUID() });
const bumped = (r: AccessCodeRecord, change: (r: AccessCodeRecord) => void = () => {}): AccessCodeRecord => {
  const next = structuredClone(r);
  next.version = r.version + 1;
  change(next);
  return next;
};

/**
 * A code on its way off a lock of a cloud provider, as the engine writes it while it waits to
 * read the lock back: its provider's id for it, a deletion pending and its attempt, its sync
 * progress, and its next step due.
 */
const removingCode = (ws: string, device: string): AccessCodeRecord =>
  accessCodeFixture(ws, device, {
    accessCode: {
      name: 'Guest 12 - booking 88412',
      type: 'ongoing',
      status: 'removing',
      starts_at: undefined,
      ends_at: undefined,
      pending_mutations: [{ mutation_code: 'deleting', message: 'Removing the access code from the device', created_at: fixtureTime }],
      appearance: { name: 'Guest 12 - booking 88412' },
      last_verified_at: fixtureTime,
    },
    record: {
      prefer_native_scheduling: true,
      due_at: '2026-11-24T14:00:00.000Z',
      provider_ref: randomUUID(),
      was_on_lock: true,
      provider_issues: { errors: [], warnings: [] },
      pending_action_attempts: [{ action_attempt_id: randomUUID(), action_type: 'DELETE_ACCESS_CODE' }],
      sync: { since: fixtureTime, attempts: 1, warned: false, failed: false, outages: 0 },
    },
  });

/** A code none of whose fields holds its usual value. */
const unusualCode = (ws: string, device: string): AccessCodeRecord =>
  accessCodeFixture(ws, device, {
    accessCode: {
      common_code_key: 'booking-8812',
      errors: [{ error_code: 'failed_to_set_on_device', message: 'The lock refused the code', created_at: fixtureTime }],
      warnings: [{ warning_code: 'delay_in_setting_on_device', message: 'Setting takes longer than usual', created_at: fixtureTime }],
      is_backup: true,
      is_backup_access_code_available: true,
      is_external_modification_allowed: true,
      is_one_time_use: true,
      is_offline_access_code: true,
      is_scheduled_on_device: true,
      is_waiting_for_code_assignment: true,
      pulled_backup_access_code_id: randomUUID(),
    },
    record: { prefer_native_scheduling: false, attempt_for_offline_device: false, pending_action_attempts: [{ action_attempt_id: randomUUID(), action_type: 'UPDATE_ACCESS_CODE' }] },
  });

/** A code every field of which that can hold its usual value holds it. */
const usualCode = (ws: string, device: string): AccessCodeRecord =>
  accessCodeFixture(ws, device, { accessCode: { name: null, code: null, pending_mutations: [] }, record: { prefer_native_scheduling: true, attempt_for_offline_device: true } });

const succeeded = (ws: string, record: AccessCodeRecord): ActionAttemptRecord => {
  const pending = actionAttemptFixture(ws, { device_id: record.access_code.device_id });
  return { ...pending, action_attempt: { ...pending.action_attempt, status: 'success', result: { access_code: record.access_code }, error: null } };
};

describe('DynamoDB stores: the stored shape of a code', () => {
  it('writes a code under 1 KB: one write unit for the item and one for each of its index copies', async () => {
    const { ws, device } = scope();
    const record = removingCode(ws, device);
    await stores.accessCodes.create(record);
    const consumed: ConsumedCapacity[] = [];
    const client = localDynamoDbClient(table.endpoint);
    client.middlewareStack.add(
      (next) => async (args) => {
        Object.assign(args.input as object, { ReturnConsumedCapacity: 'INDEXES' });
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: ConsumedCapacity };
        if (output.ConsumedCapacity) consumed.push(output.ConsumedCapacity);
        return result;
      },
      { step: 'initialize', name: 'consumedCapacity' },
    );
    const counted = createDynamoDbStores({ client, tableName: table.tableName });
    const verified = bumped(record, (r) => {
      r.access_code.last_verified_at = '2026-11-23T12:05:00.000Z';
    });

    // The due index's key stays: one copy there too.
    await counted.accessCodes.update(verified, record);

    expect(consumed).toEqual([expect.objectContaining({ CapacityUnits: 3, Table: { CapacityUnits: 1 }, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 1 }, due: { CapacityUnits: 1 } } })]);
    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toEqual(verified);
    client.destroy();
  });

  it('reads back every field of a code, whether it holds its usual value or not, through every read', async () => {
    const { ws, device } = scope();
    const unusual = unusualCode(ws, device);
    const usual = usualCode(ws, device);
    await stores.accessCodes.create(unusual, { attempts: [succeeded(ws, unusual)] });
    await stores.accessCodes.create(usual, { attempts: [succeeded(ws, usual)] });
    const id = (r: AccessCodeRecord) => r.access_code.access_code_id;
    // Created at the same time: a device's listing orders them by id.
    const both = [unusual, usual].sort((a, b) => id(a).localeCompare(id(b)));

    for (const r of both) expect(await stores.accessCodes.get(ws, id(r))).toEqual(r);
    expect(await stores.accessCodes.getMany(ws, both.map(id))).toEqual(both);
    expect((await stores.accessCodes.list(ws, { deviceId: device, limit: 10 })).items).toEqual(both);
    expect(await stores.accessCodes.listByCommonCodeKey(ws, 'booking-8812')).toEqual([unusual]);
    expect(await stores.accessCodes.listDue(accessCodeDueShard(usual), '2026-11-24T14:00:00.000Z', 1000)).toContainEqual(usual);
    const moved = bumped(usual, (r) => {
      r.access_code.device_id = randomUUID();
    });
    await stores.accessCodes.update(moved, usual);
    expect(await stores.accessCodes.get(ws, id(usual))).toEqual(moved);
    for (const r of [unusual, moved]) {
      const attempt = succeeded(ws, r);
      await stores.actionAttempts.put(attempt);
      expect(await stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id)).toEqual(attempt);
      await stores.accessCodes.remove(r, { events: [eventFixture(ws, { accessCodeId: id(r), deviceId: device, eventType: 'access_code.deleted' })] });
      expect((await stores.codeHistory.getGone(ws, id(r)))?.access_code).toEqual(r.access_code);
    }
  });

  it('reads a code item, a gone code and an action attempt stored whole (before defaults were left out) as before, and writes over them', async () => {
    const { ws, device } = scope();
    const whole = usualCode(ws, device);
    const id = whole.access_code.access_code_id;
    const attempt = succeeded(ws, whole);
    const put = (item: object) => table.client.send(new PutItemCommand({ TableName: table.tableName, Item: marshall(item, { removeUndefinedValues: true }) }));
    await put({ ...accessCodeKeys.key(ws, id), ...accessCodeKeys.index(whole), ...accessCodeKeys.due(whole), doc: whole });
    await put({ ...actionAttemptKeys.key(ws, attempt.action_attempt.action_attempt_id), doc: attempt });

    expect(await stores.accessCodes.get(ws, id)).toEqual(whole);
    expect((await stores.accessCodes.list(ws, { deviceId: device, limit: 10 })).items).toEqual([whole]);
    expect(await stores.accessCodes.listDue(accessCodeDueShard(whole), '2026-11-24T14:00:00.000Z', 1000)).toContainEqual(whole);
    expect(await stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id)).toEqual(attempt);

    const renamed = bumped(whole, (r) => {
      r.access_code.name = 'Renamed';
    });
    await stores.accessCodes.update(renamed, whole);
    expect(await stores.accessCodes.get(ws, id)).toEqual(renamed);

    const gone = { access_code: whole.access_code, removed_at: fixtureTime, readable_until: '2026-11-30T12:00:00.000Z' };
    const goneId = randomUUID();
    await put({ ...codeHistoryKeys.gone(ws, goneId), doc: gone });
    expect(await stores.codeHistory.getGone(ws, goneId)).toEqual(gone);
  });
});

/** The due shard a code's `due_at` puts it in. */
function accessCodeDueShard(record: AccessCodeRecord): number {
  const due = accessCodeKeys.due(record);
  if (due === undefined) throw new Error('the code has no due_at');
  return Number(due.due_shard.slice('DUE#'.length));
}
