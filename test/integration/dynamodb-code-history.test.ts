import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AccessCodeRecord } from '../../lib/access-codes/schemas';
import { commonCodeKeyKeys } from '../../lib/adapters/dynamodb-keys';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { ConflictError, DuplicateAccessCodeError } from '../../lib/errors';
import type { Stores } from '../../lib/ports';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { accessCodeFixture, eventFixture } from '../support/fixtures';

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
const at = (second: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, second)).toISOString();
const bumped = (r: AccessCodeRecord, change: (r: AccessCodeRecord) => void = () => {}): AccessCodeRecord => {
  const next = structuredClone(r);
  next.version = r.version + 1;
  change(next);
  return next;
};

describe('DynamoDB stores: code history', () => {
  it("keeps each code's events in order, pages through them both ways, and keeps a gone code's last state", async () => {
    const { ws, device } = scope();
    const record = accessCodeFixture(ws, device);
    const id = record.access_code.access_code_id;
    const event = (second: number, eventType: 'access_code.created' | 'access_code.changed' | 'access_code.deleted' = 'access_code.changed') =>
      eventFixture(ws, { accessCodeId: id, deviceId: device, occurredAt: at(second), eventType });
    const created = [event(0, 'access_code.created'), event(0), event(0)];
    await stores.accessCodes.create(record, { events: created });
    const changed = [event(1), event(2)];
    await stores.accessCodes.update(bumped(record), record, { events: changed });
    const deleted = event(3, 'access_code.deleted');
    await stores.accessCodes.remove(bumped(record), { events: [deleted] });
    const all = [...created, ...changed, deleted];

    expect(await stores.accessCodes.get(ws, id)).toBeUndefined();
    expect(await stores.codeHistory.getGone(ws, id)).toEqual({ access_code: record.access_code, removed_at: at(3), readable_until: new Date(Date.UTC(2026, 10, 30, 12, 0, 3)).toISOString() });
    expect(await stores.codeHistory.getGone(randomUUID(), id)).toBeUndefined();

    const whole = await stores.codeHistory.listEvents(ws, id, { limit: 50 });
    expect(whole).toEqual({ items: all, nextCursor: null, prevCursor: null });
    const first = await stores.codeHistory.listEvents(ws, id, { limit: 4 });
    expect(first.items).toEqual(all.slice(0, 4));
    const second = await stores.codeHistory.listEvents(ws, id, { limit: 4, cursor: first.nextCursor ?? '' });
    expect(second).toMatchObject({ items: all.slice(4), nextCursor: null, prevCursor: expect.any(String) });
    expect((await stores.codeHistory.listEvents(ws, id, { limit: 4, cursor: second.prevCursor ?? '' })).items).toEqual(all.slice(0, 4));

    expect((await stores.codeHistory.listEvents(ws, id, { limit: 50, after: at(0), before: at(3) })).items).toEqual(changed);
    expect((await stores.codeHistory.listEvents(ws, id, { limit: 1, eventTypes: ['access_code.deleted'] })).items).toEqual([deleted]);
    expect((await stores.codeHistory.listEvents(randomUUID(), id, { limit: 50 })).items).toEqual([]);
  });
});

describe('DynamoDB stores: common code keys', () => {
  it('bind a PIN while a code holds the key, release it with the last code, and list the codes sharing it', async () => {
    const { ws } = scope();
    const [a, b] = [
      accessCodeFixture(ws, randomUUID(), { accessCode: { code: '4829', common_code_key: 'stay' } }),
      accessCodeFixture(ws, randomUUID(), { accessCode: { code: '4829', common_code_key: 'stay' } }),
    ];
    await stores.accessCodes.createMany([a, b]);
    expect(await stores.accessCodes.getCommonCodePin(ws, 'stay')).toBe('4829');
    expect((await stores.accessCodes.listByCommonCodeKey(ws, 'stay')).map((r) => r.access_code.access_code_id).sort()).toEqual([a, b].map((r) => r.access_code.access_code_id).sort());
    await expect(stores.accessCodes.create(accessCodeFixture(ws, randomUUID(), { accessCode: { code: '5937', common_code_key: 'stay' } }))).rejects.toThrow(ConflictError);

    await stores.accessCodes.remove(a);
    expect(await stores.accessCodes.getCommonCodePin(ws, 'stay')).toBe('4829');
    await stores.accessCodes.remove(b);
    expect(await stores.accessCodes.getCommonCodePin(ws, 'stay')).toBeUndefined();
    expect(await stores.accessCodes.listByCommonCodeKey(ws, 'stay')).toEqual([]);

    const rebound = accessCodeFixture(ws, randomUUID(), { accessCode: { code: '5937', common_code_key: 'stay' } });
    await stores.accessCodes.create(rebound);
    expect(await stores.accessCodes.getCommonCodePin(ws, 'stay')).toBe('5937');
  });

  it("moves a key's PIN with its code only while that code is the key's only one", async () => {
    const { ws } = scope();
    const alone = accessCodeFixture(ws, randomUUID(), { accessCode: { code: '4829', common_code_key: 'solo' } });
    await stores.accessCodes.create(alone);
    await stores.accessCodes.update(
      bumped(alone, (r) => (r.access_code.code = '7391')),
      alone,
    );
    expect(await stores.accessCodes.getCommonCodePin(ws, 'solo')).toBe('7391');

    const [a, b] = [
      accessCodeFixture(ws, randomUUID(), { accessCode: { code: '4829', common_code_key: 'pair' } }),
      accessCodeFixture(ws, randomUUID(), { accessCode: { code: '4829', common_code_key: 'pair' } }),
    ];
    await stores.accessCodes.createMany([a, b]);
    await expect(
      stores.accessCodes.update(
        bumped(a, (r) => (r.access_code.code = '7391')),
        a,
      ),
    ).rejects.toThrow(ConflictError);
    expect((await stores.accessCodes.get(ws, a.access_code.access_code_id))?.access_code.code).toBe('4829');
  });

  it('creates several codes all or none', async () => {
    const { ws, device } = scope();
    const held = accessCodeFixture(ws, device, { accessCode: { code: '1357' } });
    await stores.accessCodes.create(held);
    const batch = [accessCodeFixture(ws, randomUUID(), { accessCode: { code: '1357' } }), accessCodeFixture(ws, device, { accessCode: { code: '1357' } })];
    await expect(stores.accessCodes.createMany(batch)).rejects.toThrow(DuplicateAccessCodeError);
    expect(
      await stores.accessCodes.getMany(
        ws,
        batch.map((r) => r.access_code.access_code_id),
      ),
    ).toEqual([]);
  });

  it('keeps the binding of a key written before keys recorded their codes until a code joins it', async () => {
    const { ws } = scope();
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: marshall({ ...commonCodeKeyKeys.key(ws, 'old'), code: '2468' }) }));
    await expect(stores.accessCodes.create(accessCodeFixture(ws, randomUUID(), { accessCode: { code: '9753', common_code_key: 'old' } }))).rejects.toThrow(ConflictError);
    const joined = accessCodeFixture(ws, randomUUID(), { accessCode: { code: '2468', common_code_key: 'old' } });
    await stores.accessCodes.create(joined);
    expect((await stores.accessCodes.listByCommonCodeKey(ws, 'old')).map((r) => r.access_code.access_code_id)).toEqual([joined.access_code.access_code_id]);
  });
});
