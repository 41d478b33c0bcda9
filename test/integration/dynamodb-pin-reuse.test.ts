import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AccessCodeRecord } from '../../lib/access-codes/schemas';
import { pinClaimKeys } from '../../lib/adapters/dynamodb-keys';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { DuplicateAccessCodeError } from '../../lib/errors';
import type { Stores } from '../../lib/ports';
import { type TestTable, countRequests, startTestTable } from '../support/dynamodb-local';
import { accessCodeFixture } from '../support/fixtures';

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

const scope = () => ({ ws: randomUUID(), device: randomUUID() });
const day = (d: number) => new Date(Date.UTC(2026, 11, d, 15)).toISOString();
/** A stay from day `from` to day `to` (15:00 UTC), holding `pin`. */
const stay = (ws: string, device: string, pin: string, from: number, to: number) =>
  accessCodeFixture(ws, device, { accessCode: { code: pin, type: 'time_bound', starts_at: day(from), ends_at: day(to) } });
const ongoing = (ws: string, device: string, pin: string) => {
  const { starts_at: _s, ends_at: _e, ...code } = accessCodeFixture(ws, device).access_code;
  return accessCodeFixture(ws, device, { accessCode: { ...code, access_code_id: randomUUID(), code: pin, type: 'ongoing' } });
};
const idsOf = (records: readonly AccessCodeRecord[]) => records.map((r) => r.access_code.access_code_id).sort();
const bumped = (r: AccessCodeRecord, change: (code: AccessCodeRecord['access_code']) => void): AccessCodeRecord => {
  const next = structuredClone(r);
  next.version = r.version + 1;
  change(next.access_code);
  return next;
};

describe('DynamoDB stores: one PIN across stays that do not overlap', () => {
  it('lets back-to-back stays share a PIN and refuses a stay that overlaps either, or an ongoing code', async () => {
    const { ws, device } = scope();
    const first = stay(ws, device, '2468', 1, 4);
    const second = stay(ws, device, '2468', 4, 7);
    await stores.accessCodes.create(first);
    await stores.accessCodes.create(second);

    await expect(stores.accessCodes.create(stay(ws, device, '2468', 3, 5))).rejects.toThrow(DuplicateAccessCodeError);
    await expect(stores.accessCodes.create(stay(ws, device, '2468', 6, 9))).rejects.toThrow(DuplicateAccessCodeError);
    await expect(stores.accessCodes.create(ongoing(ws, device, '2468'))).rejects.toThrow(DuplicateAccessCodeError);
    expect(idsOf(await stores.accessCodes.listByPin(ws, device, '2468'))).toEqual(idsOf([first, second]));
  });

  it('refuses a stay on a PIN an ongoing code holds', async () => {
    const { ws, device } = scope();
    await stores.accessCodes.create(ongoing(ws, device, '1357'));

    await expect(stores.accessCodes.create(stay(ws, device, '1357', 1, 2))).rejects.toThrow(DuplicateAccessCodeError);
  });

  it('lists the PINs taken during a span, and every PIN without one', async () => {
    const { ws, device } = scope();
    await stores.accessCodes.createMany([stay(ws, device, '1111', 1, 4), stay(ws, device, '2222', 4, 7), stay(ws, device, '1111', 7, 9)]);

    expect(await stores.accessCodes.listPins(ws, device, { starts_at: day(4), ends_at: day(7) })).toEqual(['2222']);
    expect((await stores.accessCodes.listPins(ws, device, { starts_at: day(3), ends_at: day(5) })).sort()).toEqual(['1111', '2222']);
    expect(await stores.accessCodes.listPins(ws, device, { starts_at: day(9), ends_at: day(10) })).toEqual([]);
    expect((await stores.accessCodes.listPins(ws, device)).sort()).toEqual(['1111', '2222']);
    // The same answers for PINs asked one by one (a generated PIN's check), from their claims alone.
    const asked = ['1111', '2222', '3333'];
    expect([...(await stores.accessCodes.pinsHeld(ws, device, asked, { starts_at: day(4), ends_at: day(7) }))]).toEqual(['2222']);
    expect([...(await stores.accessCodes.pinsHeld(ws, device, asked, { starts_at: day(3), ends_at: day(5) }))].sort()).toEqual(['1111', '2222']);
    expect([...(await stores.accessCodes.pinsHeld(ws, device, asked, { starts_at: day(9), ends_at: day(10) }))]).toEqual([]);
    expect([...(await stores.accessCodes.pinsHeld(ws, device, asked))].sort()).toEqual(['1111', '2222']);
  });

  it('refuses codes of one write whose spans of one PIN overlap, and takes those that follow each other', async () => {
    const { ws, device } = scope();
    await expect(stores.accessCodes.createMany([stay(ws, device, '3333', 1, 4), stay(ws, device, '3333', 3, 5)])).rejects.toThrow(DuplicateAccessCodeError);
    expect(await stores.accessCodes.listPins(ws, device)).toEqual([]);

    await stores.accessCodes.createMany([stay(ws, device, '3333', 1, 4), stay(ws, device, '3333', 4, 5)]);
    expect(await stores.accessCodes.listByPin(ws, device, '3333')).toHaveLength(2);
  });

  it('refuses an update that makes two stays of one PIN overlap, and takes one that keeps them apart', async () => {
    const { ws, device } = scope();
    const first = stay(ws, device, '4444', 1, 4);
    const second = stay(ws, device, '4444', 4, 7);
    await stores.accessCodes.createMany([first, second]);

    const overlapping = bumped(second, (c) => {
      c.starts_at = day(3);
    });
    await expect(stores.accessCodes.update(overlapping, second)).rejects.toThrow(DuplicateAccessCodeError);
    expect(await stores.accessCodes.get(ws, second.access_code.access_code_id)).toEqual(second);

    const later = bumped(second, (c) => {
      c.starts_at = day(5);
      c.ends_at = day(8);
    });
    await stores.accessCodes.update(later, second);
    await stores.accessCodes.create(stay(ws, device, '4444', 4, 5));
    await expect(stores.accessCodes.create(stay(ws, device, '4444', 7, 9))).rejects.toThrow(DuplicateAccessCodeError);
  });

  it('refuses an update onto a PIN another code holds during the new span, and takes it when that code holds it at another time', async () => {
    const { ws, device } = scope();
    const holder = stay(ws, device, '5555', 1, 4);
    const mover = stay(ws, device, '6666', 3, 6);
    await stores.accessCodes.createMany([holder, mover]);

    const onto = bumped(mover, (c) => {
      c.code = '5555';
    });
    await expect(stores.accessCodes.update(onto, mover)).rejects.toThrow(DuplicateAccessCodeError);

    const ontoLater = bumped(mover, (c) => {
      c.code = '5555';
      c.starts_at = day(4);
    });
    await stores.accessCodes.update(ontoLater, mover);
    expect(await stores.accessCodes.listPins(ws, device)).toEqual(['5555']);
    expect(idsOf(await stores.accessCodes.listByPin(ws, device, '5555'))).toEqual(idsOf([holder, mover]));
  });

  it('writes no PIN claim when an update keeps the PIN and its span', async () => {
    const { ws, device } = scope();
    const record = stay(ws, device, '7777', 1, 4);
    await stores.accessCodes.create(record);
    const next = bumped(record, (c) => {
      c.status = 'set';
    });

    requests.reset();
    await stores.accessCodes.update(next, record);
    // The code's transaction alone: no read of the claim.
    expect(requests.count).toBe(1);
  });

  it('takes a free PIN, and gives up a PIN it holds alone, in its one transaction without reading the claim', async () => {
    const { ws, device } = scope();
    const record = stay(ws, device, '7878', 1, 4);

    requests.reset();
    await stores.accessCodes.create(record);
    expect(requests.count).toBe(1);
    requests.reset();
    await stores.accessCodes.remove(record);
    expect(requests.count).toBe(1);
    expect(await stores.accessCodes.listPins(ws, device)).toEqual([]);
  });

  it('frees only the removed stay: the PIN stays held by the other', async () => {
    const { ws, device } = scope();
    const first = stay(ws, device, '8888', 1, 4);
    const second = stay(ws, device, '8888', 4, 7);
    await stores.accessCodes.createMany([first, second]);

    await stores.accessCodes.remove(first);
    expect(idsOf(await stores.accessCodes.listByPin(ws, device, '8888'))).toEqual(idsOf([second]));
    await stores.accessCodes.create(stay(ws, device, '8888', 2, 4));
    await stores.accessCodes.remove(second);
    expect(await stores.accessCodes.listPins(ws, device, { starts_at: day(4), ends_at: day(7) })).toEqual([]);
  });

  it('of concurrent creates of one PIN whose stays pairwise overlap, exactly one wins', async () => {
    const { ws, device } = scope();
    const racers = [0, 1, 2, 3, 4].map((i) => stay(ws, device, '9999', 1 + i, 10 + i));

    const results = await Promise.allSettled(racers.map((r) => stores.accessCodes.create(r)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DuplicateAccessCodeError);
    const winners = await stores.accessCodes.listByPin(ws, device, '9999');
    expect(winners).toHaveLength(1);
    expect(idsOf(racers)).toContain(winners[0]?.access_code.access_code_id);
  });

  it('of concurrent creates of one PIN whose stays pairwise do not overlap, all win', async () => {
    const { ws, device } = scope();
    const racers = [0, 1, 2, 3, 4, 5].map((i) => stay(ws, device, '1212', 1 + 2 * i, 3 + 2 * i));

    const results = await Promise.allSettled(racers.map((r) => stores.accessCodes.create(r)));

    expect(results.map((r) => r.status)).toEqual(racers.map(() => 'fulfilled'));
    expect(idsOf(await stores.accessCodes.listByPin(ws, device, '1212'))).toEqual(idsOf(racers));
  });

  it('of concurrent updates that each move a stay onto one free time of a PIN, exactly one wins', async () => {
    const { ws, device } = scope();
    const stays = [0, 1, 2].map((i) => stay(ws, device, '3434', 1 + 2 * i, 3 + 2 * i));
    await stores.accessCodes.createMany(stays);
    const moves = stays.map((s) =>
      bumped(s, (c) => {
        c.starts_at = day(20);
        c.ends_at = day(22);
      }),
    );

    const results = await Promise.allSettled(moves.map((next, i) => stores.accessCodes.update(next, stays[i] as AccessCodeRecord)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const during = await stores.accessCodes.listPins(ws, device, { starts_at: day(20), ends_at: day(22) });
    expect(during).toEqual(['3434']);
  });

  it('reads a claim stored before PINs were shared over time as its code holding the PIN for all time', async () => {
    const { ws, device } = scope();
    const old = stay(ws, device, '5656', 1, 4);
    await stores.accessCodes.create(old);
    const key = pinClaimKeys.key(ws, device, '5656');
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: marshall({ ...key, access_code_id: old.access_code.access_code_id }) }));

    await expect(stores.accessCodes.create(stay(ws, device, '5656', 10, 12))).rejects.toThrow(DuplicateAccessCodeError);
    expect(await stores.accessCodes.listByPin(ws, device, '5656')).toEqual([old]);
    await stores.accessCodes.remove(old);
    await stores.accessCodes.create(stay(ws, device, '5656', 10, 12));
  });
});
