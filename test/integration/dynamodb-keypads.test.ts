import { randomUUID } from 'node:crypto';
import { dynamoDbKeypadStore } from '../../lib/adapters/dynamodb-keypads';
import type { SandboxSlot } from '../../lib/providers/sandbox';
import { type TestTable, startTestTable } from '../support/dynamodb-local';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

const slotFor = (workspace_id: string, device_id: string, code = '4829'): SandboxSlot => ({
  workspace_id,
  device_id,
  access_code_id: randomUUID(),
  code,
  state: 'adding',
  settles_at: '2026-11-23T12:00:02.000Z',
});

describe('sandbox keypads on DynamoDB', () => {
  it('takes slots up to the capacity, even when writes race, and frees them', async () => {
    const keypads = dynamoDbKeypadStore(table.client, table.tableName);
    const [ws, device] = [randomUUID(), randomUUID()];
    const slots = Array.from({ length: 5 }, () => slotFor(ws, device));
    const taken = await Promise.all(slots.map((s) => keypads.put(s, 3)));
    expect(taken.filter(Boolean)).toHaveLength(3);
    const holder = slots[taken.indexOf(true)] as SandboxSlot;
    const waiting = slots[taken.indexOf(false)] as SandboxSlot;
    await keypads.delete(ws, device, holder.access_code_id);
    await keypads.delete(ws, device, holder.access_code_id);
    expect(await keypads.get(ws, device, holder.access_code_id)).toBeUndefined();
    expect(await keypads.put(waiting, 3)).toBe(true);
    expect(await keypads.put(slotFor(ws, device), 3)).toBe(false);
  });

  it('rewrites the slot a code already holds without taking another, even on a full lock', async () => {
    const keypads = dynamoDbKeypadStore(table.client, table.tableName);
    const [ws, device] = [randomUUID(), randomUUID()];
    const slot = slotFor(ws, device);
    expect(await keypads.put(slot, 1)).toBe(true);
    expect(await keypads.put({ ...slot, code: '7391', state: 'present' }, 1)).toBe(true);
    expect(await keypads.get(ws, device, slot.access_code_id)).toEqual({ ...slot, code: '7391', state: 'present' });
    expect(await keypads.put(slotFor(ws, device), 1)).toBe(false);
  });
});
