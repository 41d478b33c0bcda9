import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { AccessCodeRecord } from '../../lib/access-codes/schemas';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { dueShardOf } from '../../lib/adapters/dynamodb-table';
import { deviceKeys } from '../../lib/adapters/dynamodb-keys';
import { localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ConflictError, DuplicateAccessCodeError, InvalidInputError } from '../../lib/errors';
import type { Stores } from '../../lib/ports';
import { type TestTable, countRequests, startTestTable } from '../support/dynamodb-local';
import { accessCodeFixture, actionAttemptFixture, apiKeyFixture, deviceFixture, eventFixture, workspaceFixture } from '../support/fixtures';

let table: TestTable;
let stores: Stores;
let requests: ReturnType<typeof countRequests>;

beforeAll(async () => {
  table = await startTestTable();
  requests = countRequests(table.client);
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
});

afterAll(async () => {
  await table?.stop();
});

/** A fresh workspace and device per test: tests share one table and never see each other's items. */
const scope = () => ({ ws: randomUUID(), device: randomUUID() });
const ids = (records: readonly AccessCodeRecord[]) => records.map((r) => r.access_code.access_code_id);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 23, 12, minute)).toISOString();
const bumped = (r: AccessCodeRecord, change: (r: AccessCodeRecord) => void = () => {}): AccessCodeRecord => {
  const next = structuredClone(r);
  next.version = r.version + 1;
  change(next);
  return next;
};
const idInShard = (shard: number) => {
  for (;;) {
    const id = randomUUID();
    if (dueShardOf(id) === shard) return id;
  }
};

describe('DynamoDB stores: access codes', () => {
  it('stores a code with its attempt and events in one write and reads it back unchanged', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { common_code_key: null } });
    const attempt = actionAttemptFixture(ws);
    const event = eventFixture(ws, { accessCodeId: record.access_code.access_code_id, deviceId: device });

    await stores.accessCodes.create(record, { attempts: [attempt], events: [event] });

    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toEqual(record);
    expect(await stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id)).toEqual(attempt);
    expect(await stores.events.get(ws, event.event_id)).toEqual(event);
  });

  it('gets a code by id with exactly one DynamoDB request', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device);
    await stores.accessCodes.create(record);

    requests.reset();
    await stores.accessCodes.get(ws, record.access_code.access_code_id);
    expect(requests.count).toBe(1);

    requests.reset();
    expect(await stores.accessCodes.get(ws, randomUUID())).toBeUndefined();
    expect(requests.count).toBe(1);
  });

  it('finds a code by device and PIN', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '735912' } });
    await stores.accessCodes.create(record);

    expect(await stores.accessCodes.listByPin(ws, device, '735912')).toEqual([record]);
    expect(await stores.accessCodes.listByPin(ws, device, '735913')).toEqual([]);
    expect(await stores.accessCodes.listByPin(ws, randomUUID(), '735912')).toEqual([]);
  });

  it('lists a device’s codes in creation order, page by page', async () => {
    const { ws, device } = scope();
    const created = [4, 0, 3, 1, 2].map((minute, i) => accessCodeFixture(ws, device, { accessCode: { created_at: at(minute), code: `500${i}` } }));
    for (const r of created) await stores.accessCodes.create(r);
    await stores.accessCodes.create(accessCodeFixture(ws, randomUUID(), { accessCode: { code: '9999' } }));
    const inOrder = [...created].sort((a, b) => a.access_code.created_at.localeCompare(b.access_code.created_at));

    const first = await stores.accessCodes.list(ws, { deviceId: device, limit: 2 });
    expect(ids(first.items)).toEqual(ids(inOrder.slice(0, 2)));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await stores.accessCodes.list(ws, { deviceId: device, limit: 2, cursor: first.nextCursor ?? undefined });
    expect(ids(second.items)).toEqual(ids(inOrder.slice(2, 4)));
    const last = await stores.accessCodes.list(ws, { deviceId: device, limit: 2, cursor: second.nextCursor ?? undefined });
    expect(ids(last.items)).toEqual(ids(inOrder.slice(4)));
    expect(last.nextCursor).toBeNull();

    const exact = await stores.accessCodes.list(ws, { deviceId: device, limit: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.nextCursor).toBeNull();
  });

  it('lists every code of the workspace across pages, each exactly once', async () => {
    const { ws, device } = scope();
    const created = Array.from({ length: 5 }, (_, i) => accessCodeFixture(ws, i % 2 === 0 ? device : randomUUID(), { accessCode: { code: `600${i}` } }));
    for (const r of created) await stores.accessCodes.create(r);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await stores.accessCodes.list(ws, { limit: 2, cursor });
      seen.push(...ids(page.items));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual(ids(created).sort());
  });

  it('rejects a garbled, forged or mismatched cursor as invalid input', async () => {
    const { ws, device } = scope();
    for (const code of ['7001', '7002']) await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code } }));
    const byDevice = await stores.accessCodes.list(ws, { deviceId: device, limit: 1 });
    const byWorkspace = await stores.accessCodes.list(ws, { limit: 1 });
    const forged = Buffer.from(JSON.stringify({ sk: 'WORKSPACE' })).toString('base64url');

    for (const cursor of ['not a cursor!', 'e30', forged, `${byDevice.nextCursor}x`, '']) {
      await expect(stores.accessCodes.list(ws, { deviceId: device, limit: 1, cursor })).rejects.toThrow(InvalidInputError);
    }
    await expect(stores.accessCodes.list(ws, { limit: 1, cursor: byDevice.nextCursor ?? '' })).rejects.toThrow(InvalidInputError);
    await expect(stores.accessCodes.list(ws, { deviceId: device, limit: 1, cursor: byWorkspace.nextCursor ?? '' })).rejects.toMatchObject({
      type: 'invalid_input',
      statusCode: 400,
      extra: { validation_errors: { page_cursor: { _errors: ['Invalid or expired page cursor'] } } },
    });
  });

  it('searches name, PIN and id, filling each page with matches only', async () => {
    const { ws, device } = scope();
    const names = ['Front door guest', 'Cleaner', 'Back DOOR', 'Plumber', 'Side door', 'Gardener'];
    const created = names.map((name, i) => accessCodeFixture(ws, device, { accessCode: { name, code: `81${i}0`, created_at: at(i) } }));
    for (const r of created) await stores.accessCodes.create(r);

    const first = await stores.accessCodes.list(ws, { deviceId: device, search: 'door', limit: 2 });
    expect(first.items.map((r) => r.access_code.name)).toEqual(['Front door guest', 'Back DOOR']);
    const second = await stores.accessCodes.list(ws, { deviceId: device, search: 'door', limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((r) => r.access_code.name)).toEqual(['Side door']);
    expect(second.nextCursor).toBeNull();

    const byPin = await stores.accessCodes.list(ws, { search: '8130', limit: 10 });
    expect(byPin.items.map((r) => r.access_code.name)).toEqual(['Plumber']);
    const target = created[5]?.access_code.access_code_id ?? '';
    const byId = await stores.accessCodes.list(ws, { search: target.slice(0, 13), limit: 10 });
    expect(ids(byId.items)).toEqual([target]);
    expect((await stores.accessCodes.list(ws, { search: 'locksmith', limit: 10 })).items).toEqual([]);
  });

  it('gets many codes in the order asked, skipping unknown ids, across batches of 100', async () => {
    const { ws, device } = scope();
    const created = ['1111', '2222', '3333'].map((code) => accessCodeFixture(ws, device, { accessCode: { code } }));
    for (const r of created) await stores.accessCodes.create(r);
    const [a, b, c] = ids(created);
    const unknown = Array.from({ length: 150 }, () => randomUUID());

    const found = await stores.accessCodes.getMany(ws, [c ?? '', ...unknown.slice(0, 120), a ?? '', ...unknown.slice(120), b ?? '', a ?? '']);
    expect(ids(found)).toEqual([c, a, b, a]);
    expect(await stores.accessCodes.getMany(ws, [])).toEqual([]);
  });

  it('lists the PINs held on a device', async () => {
    const { ws, device } = scope();
    for (const code of ['2580', '1397', '864210']) await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code } }));
    await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code: null, is_waiting_for_code_assignment: true } }));
    await stores.accessCodes.create(accessCodeFixture(ws, randomUUID(), { accessCode: { code: '4444' } }));

    expect((await stores.accessCodes.listPins(ws, device)).sort()).toEqual(['1397', '2580', '864210']);
  });

  it('refuses a PIN already held on the device, and writes nothing of the refused code', async () => {
    const { ws, device } = scope();
    await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code: '3141' } }));
    const duplicate = accessCodeFixture(ws, device, { accessCode: { code: '3141' } });
    const attempt = actionAttemptFixture(ws);
    const event = eventFixture(ws);

    await expect(stores.accessCodes.create(duplicate, { attempts: [attempt], events: [event] })).rejects.toThrow(DuplicateAccessCodeError);

    expect(await stores.accessCodes.get(ws, duplicate.access_code.access_code_id)).toBeUndefined();
    expect(await stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id)).toBeUndefined();
    expect(await stores.events.get(ws, event.event_id)).toBeUndefined();
  });

  it('lets exactly one of two concurrent creates claim the same PIN', async () => {
    const { ws, device } = scope();
    const racers = [1, 2].map(() => accessCodeFixture(ws, device, { accessCode: { code: '2718' } }));

    const results = await Promise.allSettled(racers.map((r) => stores.accessCodes.create(r)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(rejected).toBeInstanceOf(DuplicateAccessCodeError);
    const [winner] = await stores.accessCodes.listByPin(ws, device, '2718');
    expect(ids(racers)).toContain(winner?.access_code.access_code_id);
    expect(await stores.accessCodes.listPins(ws, device)).toEqual(['2718']);
  });

  it('allows the same PIN on different devices', async () => {
    const { ws, device } = scope();
    const other = randomUUID();
    await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code: '1618' } }));
    await stores.accessCodes.create(accessCodeFixture(ws, other, { accessCode: { code: '1618' } }));

    expect(await stores.accessCodes.listPins(ws, other)).toEqual(['1618']);
  });

  it('moves the PIN claim when an update changes the PIN', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '4040' } });
    await stores.accessCodes.create(record);
    const next = bumped(record, (r) => {
      r.access_code.code = '5050';
    });

    await stores.accessCodes.update(next, record, { events: [eventFixture(ws, { eventType: 'access_code.changed' })] });

    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toEqual(next);
    expect(await stores.accessCodes.listPins(ws, device)).toEqual(['5050']);
    expect(await stores.accessCodes.listByPin(ws, device, '4040')).toEqual([]);
    await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code: '4040' } }));
    await expect(stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code: '5050' } }))).rejects.toThrow(DuplicateAccessCodeError);
  });

  it('refuses an update to a PIN held by another code and leaves both untouched', async () => {
    const { ws, device } = scope();
    const holder = accessCodeFixture(ws, device, { accessCode: { code: '6060' } });
    const record = accessCodeFixture(ws, device, { accessCode: { code: '7070' } });
    for (const r of [holder, record]) await stores.accessCodes.create(r);

    const next = bumped(record, (r) => {
      r.access_code.code = '6060';
    });
    await expect(stores.accessCodes.update(next, record)).rejects.toThrow(DuplicateAccessCodeError);

    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toEqual(record);
    expect((await stores.accessCodes.listPins(ws, device)).sort()).toEqual(['6060', '7070']);
  });

  it('refuses a write based on a stale version', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '8080' } });
    await stores.accessCodes.create(record);
    const renamed = bumped(record, (r) => {
      r.access_code.name = 'Renamed';
    });
    await stores.accessCodes.update(renamed, record);

    const stale = bumped(record, (r) => {
      r.access_code.code = '9090';
    });
    await expect(stores.accessCodes.update(stale, record)).rejects.toThrow(ConflictError);
    await expect(stores.accessCodes.remove(record)).rejects.toThrow(ConflictError);
    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toEqual(renamed);
    expect(await stores.accessCodes.listPins(ws, device)).toEqual(['8080']);
  });

  it('writes a change of the code item alone as one conditional PutItem, not a transaction, and refuses it on a stale version', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '7070' } });
    await stores.accessCodes.create(record);
    const sent: string[] = [];
    const client = localDynamoDbClient(table.endpoint);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'commandNames' },
    );
    const counted = createDynamoDbStores({ client, tableName: table.tableName });
    const renamed = bumped(record, (r) => {
      r.access_code.name = 'Renamed';
    });

    await counted.accessCodes.update(renamed, record);
    const stale = bumped(record, (r) => {
      r.access_code.name = 'Stale';
    });
    await expect(counted.accessCodes.update(stale, record)).rejects.toThrow(ConflictError);

    expect(sent).toEqual(['PutItemCommand', 'PutItemCommand']);
    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toEqual(renamed);
    client.destroy();
  });

  it('lets exactly one of two concurrent updates from the same version win', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '1212' } });
    await stores.accessCodes.create(record);
    const updates = ['A', 'B'].map((name) =>
      bumped(record, (r) => {
        r.access_code.name = name;
      }),
    );

    const results = await Promise.allSettled(updates.map((next) => stores.accessCodes.update(next, record)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))).toEqual([expect.any(ConflictError)]);
  });

  it('removes a code and frees its PIN', async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '1357' } });
    await stores.accessCodes.create(record);
    const deleted = eventFixture(ws, { eventType: 'access_code.deleted' });

    await stores.accessCodes.remove(record, { events: [deleted] });

    expect(await stores.accessCodes.get(ws, record.access_code.access_code_id)).toBeUndefined();
    expect(await stores.accessCodes.listPins(ws, device)).toEqual([]);
    expect(await stores.events.get(ws, deleted.event_id)).toEqual(deleted);
    await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: { code: '1357' } }));
  });

  it('binds a common code key to one PIN across devices', async () => {
    const { ws, device } = scope();
    const common = { common_code_key: 'booking-8812', code: '2468' };
    await stores.accessCodes.create(accessCodeFixture(ws, device, { accessCode: common }));
    await stores.accessCodes.create(accessCodeFixture(ws, randomUUID(), { accessCode: common }));

    expect(await stores.accessCodes.getCommonCodePin(ws, 'booking-8812')).toBe('2468');
    expect(await stores.accessCodes.getCommonCodePin(ws, 'booking-0000')).toBeUndefined();
    expect(await stores.accessCodes.getCommonCodePin(randomUUID(), 'booking-8812')).toBeUndefined();
    const otherPin = accessCodeFixture(ws, randomUUID(), { accessCode: { common_code_key: 'booking-8812', code: '1357' } });
    await expect(stores.accessCodes.create(otherPin)).rejects.toThrow(ConflictError);
    expect(await stores.accessCodes.get(ws, otherPin.access_code.access_code_id)).toBeUndefined();
  });

  it('lists due codes of one shard only, and drops a code once its due_at is cleared', async () => {
    // The due index spans workspaces: these codes are due days before the other tests' codes.
    const { ws } = scope();
    const shard = 5;
    // A code is in its lock's shard.
    const device = idInShard(shard);
    const now = '2026-11-20T14:00:00.000Z';
    const code = (id: string, dueAt: string | undefined, pin: string) => accessCodeFixture(ws, device, { accessCode: { access_code_id: id, code: pin }, record: { due_at: dueAt } });
    const later = code(idInShard(shard), '2026-11-20T13:30:00.000Z', '3001');
    const earlier = code(idInShard(shard), '2026-11-20T12:00:00.000Z', '3002');
    const future = code(idInShard(shard), '2026-11-20T14:00:01.000Z', '3003');
    const settled = code(idInShard(shard), undefined, '3004');
    const otherShard = accessCodeFixture(ws, idInShard(shard + 1), { accessCode: { code: '3005' }, record: { due_at: '2026-11-20T12:00:00.000Z' } });
    for (const r of [later, earlier, future, settled, otherShard]) await stores.accessCodes.create(r);

    expect(ids(await stores.accessCodes.listDue(shard, now, 10))).toEqual(ids([earlier, later]));
    expect(ids(await stores.accessCodes.listDue(shard, now, 1))).toEqual(ids([earlier]));

    const { due_at: _done, ...rest } = bumped(earlier);
    await stores.accessCodes.update(rest, earlier);
    expect(ids(await stores.accessCodes.listDue(shard, now, 10))).toEqual(ids([later]));
    expect(ids(await stores.accessCodes.listDue(shard + 1, now, 10))).toContain(otherShard.access_code.access_code_id);
  });

  it("lists a code in its lock's shard, whatever its own id, while it waits its turn at a provider's limit and after", async () => {
    // Due a day before the other tests' codes, so their codes are not due at this test's now.
    const { ws } = scope();
    const device = idInShard(9);
    const now = '2026-11-19T14:00:00.000Z';
    const first = accessCodeFixture(ws, device, { accessCode: { access_code_id: idInShard(2), code: '3101' }, record: { due_at: '2026-11-19T12:00:00.000Z' } });
    await stores.accessCodes.create(first);
    expect(ids(await stores.accessCodes.listDue(9, now, 10))).toEqual(ids([first]));
    expect(await stores.accessCodes.listDue(2, now, 10)).toEqual([]);
    const waiting = bumped(first, (r) => {
      r.queued_since = '2026-11-19T12:00:00.000Z';
      r.due_at = '2026-11-19T13:00:00.000Z';
    });
    await stores.accessCodes.update(waiting, first);
    expect(ids(await stores.accessCodes.listDue(2, now, 10))).toEqual([]);
    expect(await stores.accessCodes.listDue(9, now, 10)).toEqual([waiting]);
    const { queued_since: _made, ...called } = bumped(waiting);
    await stores.accessCodes.update(called, waiting);
    expect(ids(await stores.accessCodes.listDue(9, now, 10))).toEqual(ids([called]));
    expect(await stores.accessCodes.listDue(2, now, 10)).toEqual([]);
  });
});

describe('DynamoDB stores: events', () => {
  const ws = randomUUID();
  const device = randomUUID();
  const otherDevice = randomUUID();
  const accessCodeId = randomUUID();
  const events = Array.from({ length: 150 }, (_, i) =>
    eventFixture(ws, {
      accessCodeId,
      deviceId: i % 10 === 0 ? otherDevice : device,
      occurredAt: new Date(Date.UTC(2026, 10, 23, 12, 0, i)).toISOString(),
      eventType: i % 2 === 0 ? 'access_code.created' : 'access_code.changed',
    }),
  );
  const time = (i: number) => events[i]?.occurred_at ?? '';

  beforeAll(async () => {
    const record = accessCodeFixture(ws, device, { accessCode: { access_code_id: accessCodeId, code: '5151' } });
    // Each event is also copied into its code's history: 45 events make 90 of a transaction's 100 items.
    await stores.accessCodes.create(record, { events: events.slice(0, 45) });
    let previous = record;
    for (const from of [45, 90, 135]) {
      const next = bumped(previous);
      await stores.accessCodes.update(next, previous, { events: events.slice(from, from + 45) });
      previous = next;
    }
  });

  it('gets an event by id within its workspace only', async () => {
    expect(await stores.events.get(ws, events[3]?.event_id ?? '')).toEqual(events[3]);
    expect(await stores.events.get(randomUUID(), events[3]?.event_id ?? '')).toBeUndefined();
  });

  it('lists events since a time, newest first, up to the limit', async () => {
    const listed = await stores.events.list(ws, { since: time(140), limit: 500 });
    expect(listed.map((e) => e.occurred_at)).toEqual(
      events
        .slice(140)
        .map((e) => e.occurred_at)
        .reverse(),
    );

    const limited = await stores.events.list(ws, { since: time(0), limit: 3 });
    expect(limited).toEqual([events[149], events[148], events[147]]);
  });

  it('lists events between two times, both ends included', async () => {
    const listed = await stores.events.list(ws, { between: [time(10), time(14)], limit: 500 });
    expect(listed).toEqual(events.slice(10, 15).reverse());
    expect(await stores.events.list(ws, { between: [time(14), time(10)], limit: 500 })).toEqual([]);
  });

  it('applies the other filters after the time range, reading on until the limit is met', async () => {
    const byDevice = await stores.events.list(ws, { since: time(0), device_id: otherDevice, limit: 12 });
    expect(byDevice.map((e) => e.occurred_at)).toEqual([140, 130, 120, 110, 100, 90, 80, 70, 60, 50, 40, 30].map(time));

    const byType = await stores.events.list(ws, {
      between: [time(0), time(5)],
      event_types: ['access_code.changed'],
      access_code_ids: [accessCodeId],
      limit: 500,
    });
    expect(byType.map((e) => e.occurred_at)).toEqual([5, 3, 1].map(time));
    expect(await stores.events.list(ws, { since: time(0), access_code_id: randomUUID(), limit: 5 })).toEqual([]);
    expect(await stores.events.list(randomUUID(), { since: time(0), limit: 5 })).toEqual([]);
  });
});

describe('DynamoDB stores: action attempts, devices, workspaces', () => {
  it('stores action attempts per workspace', async () => {
    const { ws } = scope();
    const attempt = actionAttemptFixture(ws);
    await stores.actionAttempts.put(attempt);
    const done = structuredClone(attempt);
    done.action_attempt = { ...attempt.action_attempt, status: 'success', result: { access_code_id: randomUUID() }, error: null };
    await stores.actionAttempts.put(done);

    expect(await stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id)).toEqual(done);
    expect(await stores.actionAttempts.get(randomUUID(), attempt.action_attempt.action_attempt_id)).toBeUndefined();
  });

  it('stores devices and lists them, filtered by id and limited', async () => {
    const { ws } = scope();
    const devices = ['Front Door', 'Back Door', 'Garage', 'Shed'].map((name) => deviceFixture(ws, { display_name: name }));
    for (const d of devices) await stores.devices.put(d);
    await stores.devices.put(deviceFixture(randomUUID()));
    const [front, back, garage] = devices.map((d) => d.device.device_id);

    expect(await stores.devices.get(ws, front ?? '')).toEqual(devices[0]);
    expect(await stores.devices.get(randomUUID(), front ?? '')).toBeUndefined();
    expect(await stores.devices.list(ws, { limit: 100 })).toHaveLength(4);
    expect(await stores.devices.list(ws, { limit: 3 })).toHaveLength(3);
    const picked = await stores.devices.list(ws, { deviceIds: [garage ?? '', back ?? '', randomUUID()], limit: 100 });
    expect(picked.map((d) => d.device.device_id).sort()).toEqual([back, garage].sort());
    expect(await stores.devices.list(ws, { deviceIds: [], limit: 100 })).toEqual([]);
  });

  it('reads a device item stored before devices named their provider as a sandbox device', async () => {
    const { ws } = scope();
    const current = deviceFixture(ws);
    const { provider: _p, provider_device_id: _r, provider_state, ...rest } = current;
    const legacyItem = marshall({ ...deviceKeys.key(ws, current.device.device_id), doc: { ...rest, sandbox: provider_state } }, { removeUndefinedValues: true });
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: legacyItem }));

    const read = await stores.devices.get(ws, current.device.device_id);
    expect(read).toEqual({ ...rest, provider: 'sandbox', provider_device_id: current.device.device_id, provider_state });
    expect(await stores.devices.list(ws, { limit: 10 })).toEqual([read]);
  });

  it('creates workspaces once and lists them by creation', async () => {
    const first = workspaceFixture({ created_at: '2000-01-01T00:00:00.000Z' });
    const second = workspaceFixture({ created_at: '2000-01-02T00:00:00.000Z', is_sandbox: false });
    await stores.workspaces.create(second);
    await stores.workspaces.create(first);

    await expect(stores.workspaces.create(first)).rejects.toThrow(ConflictError);
    expect(await stores.workspaces.get(first.workspace_id)).toEqual(first);
    expect(await stores.workspaces.get(randomUUID())).toBeUndefined();
    const listed = await stores.workspaces.list();
    expect(listed.slice(0, 2)).toEqual([first, second]);
  });

  it('finds API keys by hash, lists them per workspace and revokes them', async () => {
    const { ws } = scope();
    const keys = [apiKeyFixture(ws), apiKeyFixture(ws)];
    for (const k of keys) await stores.workspaces.putApiKey(k);
    const foreign = apiKeyFixture(randomUUID());
    await stores.workspaces.putApiKey(foreign);
    const [kept, revoked] = keys;
    if (!kept || !revoked) throw new Error('fixture');

    requests.reset();
    expect(await stores.workspaces.findApiKeyByHash(kept.key_hash)).toEqual(kept);
    expect(requests.count).toBe(1);
    expect((await stores.workspaces.listApiKeys(ws)).map((k) => k.api_key_id).sort()).toEqual(keys.map((k) => k.api_key_id).sort());

    expect(await stores.workspaces.revokeApiKey(ws, foreign.api_key_id)).toBe(false);
    expect(await stores.workspaces.revokeApiKey(ws, revoked.api_key_id)).toBe(true);
    expect(await stores.workspaces.revokeApiKey(ws, revoked.api_key_id)).toBe(false);
    expect(await stores.workspaces.findApiKeyByHash(revoked.key_hash)).toBeUndefined();
    expect(await stores.workspaces.findApiKeyByHash(foreign.key_hash)).toEqual(foreign);
    expect(await stores.workspaces.listApiKeys(ws)).toEqual([kept]);
  });
});

describe('DynamoDB stores: workspace scoping', () => {
  it('never shows one workspace’s codes to another', async () => {
    const { ws, device } = scope();
    const other = randomUUID();
    const record = accessCodeFixture(ws, device, { accessCode: { code: '9191', common_code_key: 'shared-key' } });
    await stores.accessCodes.create(record);
    const id = record.access_code.access_code_id;

    expect(await stores.accessCodes.get(other, id)).toBeUndefined();
    expect(await stores.accessCodes.listByPin(other, device, '9191')).toEqual([]);
    expect(await stores.accessCodes.getMany(other, [id])).toEqual([]);
    expect((await stores.accessCodes.list(other, { limit: 10 })).items).toEqual([]);
    expect((await stores.accessCodes.list(other, { deviceId: device, limit: 10 })).items).toEqual([]);
    expect(await stores.accessCodes.listPins(other, device)).toEqual([]);
    expect(await stores.accessCodes.getCommonCodePin(other, 'shared-key')).toBeUndefined();
    await stores.accessCodes.create(accessCodeFixture(other, device, { accessCode: { code: '9191', common_code_key: 'shared-key' } }));
  });
});

describe('DynamoDB stores: failures DynamoDB Local does not produce', () => {
  // DynamoDB Local runs transactions one at a time, so it never cancels one for a concurrent
  // transaction (TransactionConflict) as DynamoDB does; a stubbed client plays DynamoDB here.
  const stubbed = () => {
    const client = new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return { mock: mockClient(client), stores: createDynamoDbStores({ client, tableName: 'stubbed' }) };
  };
  const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
  const record = () => accessCodeFixture(randomUUID(), randomUUID());
  const renamedFrom = (r: AccessCodeRecord) =>
    bumped(r, (next) => {
      next.access_code.name = 'Renamed';
    });

  it('runs a transaction again when a concurrent one cancelled it, then reports the condition that failed', async () => {
    const { mock, stores: stubbedStores } = stubbed();
    mock.on(GetItemCommand).resolves({});
    mock.on(TransactWriteItemsCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));

    await expect(stubbedStores.accessCodes.create(record())).rejects.toThrow(ConflictError);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
  });

  it('reads a PIN claim again and writes once more when it moved before the transaction committed', async () => {
    const { mock, stores: stubbedStores } = stubbed();
    mock.on(GetItemCommand).resolves({});
    mock.on(TransactWriteItemsCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).resolves({});

    await stubbedStores.accessCodes.create(record());
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    // The first run takes the PIN as free without reading its claim; the second reads it.
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('gives up with a ConflictError when concurrent transactions keep cancelling it', async () => {
    const { mock, stores: stubbedStores } = stubbed();
    mock.on(GetItemCommand).resolves({});
    mock.on(TransactWriteItemsCommand).rejects(cancelled('TransactionConflict', 'None'));

    await expect(stubbedStores.accessCodes.create(record())).rejects.toThrow(ConflictError);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(5);
  });

  it('maps a single Put refused by another writer to ConflictError, and runs it again when a transaction held the item', async () => {
    const { mock, stores: stubbedStores } = stubbed();
    const code = record();
    const other = marshall({ pk: 'x', sk: 'y', doc: { version: 7 } });
    mock
      .on(PutItemCommand)
      .rejectsOnce(new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} }))
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: other }));

    await expect(stubbedStores.accessCodes.update(renamedFrom(code), code)).rejects.toThrow(ConflictError);
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(2);
  });

  it('lets infrastructure errors through unchanged', async () => {
    const { mock, stores: stubbedStores } = stubbed();
    const throttled = new ProvisionedThroughputExceededException({ message: 'Slow down', $metadata: {} });
    mock.on(GetItemCommand).resolves({});
    mock.on(TransactWriteItemsCommand).rejects(throttled);

    await expect(stubbedStores.accessCodes.create(record())).rejects.toBe(throttled);
  });
});
