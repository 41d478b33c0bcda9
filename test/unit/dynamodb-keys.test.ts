import {
  accessCodeKeys,
  actionAttemptKeys,
  apiKeyKeys,
  commonCodeKeyKeys,
  deviceKeys,
  dueShardKey,
  eventKeys,
  expiresAfter,
  keypadKeys,
  pinClaimKeys,
  workspaceKeys,
} from '../../lib/adapters/dynamodb-keys';
import { dueShardOf } from '../../lib/adapters/dynamodb-table';
import { accessCodeFixture, actionAttemptFixture, apiKeyFixture, eventFixture, workspaceFixture } from '../support/fixtures';

const ws = '6a5d9e3c-0b1f-4c2a-9d8e-7f6a5b4c3d2e';
const device = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const codeId = '11111111-2222-4333-8444-555555555555';

describe('DynamoDB keys', () => {
  it('keys a workspace by id and lists workspaces in one gsi1 partition by creation', () => {
    const w = workspaceFixture({ workspace_id: ws, created_at: '2026-01-02T03:04:05.000Z' });
    expect(workspaceKeys.key(ws)).toEqual({ pk: `WS#${ws}`, sk: 'WORKSPACE' });
    expect(workspaceKeys.index(w)).toEqual({ gsi1pk: 'WORKSPACES', gsi1sk: `2026-01-02T03:04:05.000Z#${ws}` });
  });

  it('keys an API key by the hash of the secret and lists keys per workspace', () => {
    const k = apiKeyFixture(ws);
    expect(apiKeyKeys.key(k.key_hash)).toEqual({ pk: `KEY#${k.key_hash}`, sk: 'KEY' });
    expect(apiKeyKeys.index(k)).toEqual({ gsi1pk: `WS#${ws}#KEYS`, gsi1sk: `KEY#${k.api_key_id}` });
  });

  it('keys devices, attempts, events and common code keys inside the workspace partition', () => {
    expect(deviceKeys.key(ws, device)).toEqual({ pk: `WS#${ws}`, sk: `DEVICE#${device}` });
    expect(actionAttemptKeys.key(ws, codeId)).toEqual({ pk: `WS#${ws}`, sk: `ATTEMPT#${codeId}` });
    expect(eventKeys.key(ws, codeId)).toEqual({ pk: `WS#${ws}`, sk: `EVENT#${codeId}` });
    expect(commonCodeKeyKeys.key(ws, 'guest#42')).toEqual({ pk: `WS#${ws}`, sk: 'CCK#guest#42' });
  });

  it('keys an access code by id and indexes it by device in creation order', () => {
    const r = accessCodeFixture(ws, device, { accessCode: { access_code_id: codeId, created_at: '2026-11-23T12:00:00.000Z' } });
    expect(accessCodeKeys.key(ws, codeId)).toEqual({ pk: `WS#${ws}`, sk: `CODE#${codeId}` });
    expect(accessCodeKeys.index(r)).toEqual({
      gsi1pk: `WS#${ws}#DEV#${device}#CODES`,
      gsi1sk: `2026-11-23T12:00:00.000Z#${codeId}`,
    });
  });

  it("reads a code's ids, device and creation time back from its keys, and nothing from keys of another shape", () => {
    const r = accessCodeFixture(ws, device, { accessCode: { access_code_id: codeId, created_at: '2026-11-23T12:00:00.000Z' } });
    expect(accessCodeKeys.fieldsOf({ ...accessCodeKeys.key(ws, codeId), ...accessCodeKeys.index(r) })).toEqual({
      workspace_id: ws,
      access_code_id: codeId,
      device_id: device,
      created_at: '2026-11-23T12:00:00.000Z',
    });
    expect(accessCodeKeys.fieldsOf(accessCodeKeys.key(ws, codeId))).toEqual({ workspace_id: ws, access_code_id: codeId });
    expect(accessCodeKeys.fieldsOf({ ...accessCodeKeys.key(ws, codeId), gsi1pk: `WS#${ws}#DEV#${device}#UCODES`, gsi1sk: `2026-11-23T12:00:00.000Z#${device}` })).toEqual({
      workspace_id: ws,
      access_code_id: codeId,
    });
    expect(accessCodeKeys.fieldsOf(deviceKeys.key(ws, device))).toEqual({});
  });

  it("puts a code in its lock's due shard only while it has a due_at", () => {
    const due = accessCodeFixture(ws, device, { accessCode: { access_code_id: codeId }, record: { due_at: '2026-11-24T14:00:00.000Z' } });
    // Not the code's own id's shard: these two ids hash apart.
    expect(dueShardOf(device)).not.toBe(dueShardOf(codeId));
    expect(accessCodeKeys.due(due)).toEqual({ due_shard: `DUE#${dueShardOf(device)}`, due_at: '2026-11-24T14:00:00.000Z' });
    expect(dueShardKey(7)).toBe('DUE#7');

    const { due_at: _cleared, ...settled } = due;
    expect(accessCodeKeys.due(settled)).toBeUndefined();

    // Waiting its turn at a provider's limit, it stays in its lock's shard, where its lock's whole line is.
    const waiting = { ...due, queued_since: '2026-11-24T13:59:00.000Z' };
    expect(accessCodeKeys.due(waiting)).toEqual({ due_shard: `DUE#${dueShardOf(device)}`, due_at: '2026-11-24T14:00:00.000Z' });
  });

  it('claims a PIN per device, and no claim for a code without a PIN', () => {
    const r = accessCodeFixture(ws, device, { accessCode: { code: '0042' } });
    expect(pinClaimKeys.of(r)).toEqual({ pk: `WS#${ws}#DEV#${device}`, sk: 'PIN#0042' });
    expect(pinClaimKeys.pinOf('PIN#0042')).toBe('0042');
    expect(pinClaimKeys.of(accessCodeFixture(ws, device, { accessCode: { code: null } }))).toBeUndefined();
  });

  it('keeps a sandbox keypad in the device partition, its slots apart from PIN claims', () => {
    const id = '11111111-2222-4333-8444-555555555555';
    expect(keypadKeys.slot(ws, device, id)).toEqual({ pk: pinClaimKeys.partition(ws, device), sk: `SLOT#${id}` });
    expect(keypadKeys.counter(ws, device)).toEqual({ pk: pinClaimKeys.partition(ws, device), sk: 'KEYPAD' });
  });

  it('keeps the PIN partition of a device apart from its code listing', () => {
    expect(pinClaimKeys.partition(ws, device)).not.toBe(accessCodeKeys.devicePartition(ws, device));
  });

  it('indexes events by occurred_at and bounds a time range so that every event inside it matches', () => {
    const e = eventFixture(ws, { occurredAt: '2026-11-23T12:00:00.000Z' });
    const { gsi1pk, gsi1sk } = eventKeys.index(e);
    expect(gsi1pk).toBe(`WS#${ws}#EVENTS`);
    expect(gsi1sk).toBe(`2026-11-23T12:00:00.000Z#${e.event_id}`);

    const at = (t: string) => `${t}#ffffffff-ffff-4fff-bfff-ffffffffffff`;
    expect(at('2026-11-23T12:00:00.000Z') >= eventKeys.lowerBound('2026-11-23T12:00:00.000Z')).toBe(true);
    expect(at('2026-11-23T12:00:00.000Z') <= eventKeys.upperBound('2026-11-23T12:00:00.000Z')).toBe(true);
    expect(at('2026-11-23T11:59:59.999Z') >= eventKeys.lowerBound('2026-11-23T12:00:00.000Z')).toBe(false);
    expect(at('2026-11-23T12:00:00.001Z') <= eventKeys.upperBound('2026-11-23T12:00:00.000Z')).toBe(false);
  });

  it('expires attempts after 30 days and events after 90, in epoch seconds', () => {
    const created = '2026-11-23T12:00:00.000Z';
    const epoch = Date.parse(created) / 1000;
    expect(expiresAfter(created, 1)).toBe(epoch + 86_400);
    expect(actionAttemptKeys.expiresAt(actionAttemptFixture(ws, { created_at: created }))).toBe(epoch + 30 * 86_400);
    expect(eventKeys.expiresAt(eventFixture(ws, { occurredAt: created }))).toBe(epoch + 90 * 86_400);
  });
});
