import { tableOperations } from '../../lib/adapters/dynamodb-support';
import { randomUUID } from 'node:crypto';
import { dynamoDbWebhooks } from '../../lib/adapters/dynamodb-webhooks';
import { memoryWebhooks } from '../../lib/adapters/memory-webhooks';
import { ConflictError } from '../../lib/errors';
import { type WebhookDelivery, type WebhookRecord, webhookRecordSchema } from '../../lib/webhooks/schemas';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { fixtureTime } from '../support/fixtures';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const webhook = (workspaceId: string, overrides: Partial<WebhookRecord> = {}) =>
  webhookRecordSchema.parse({ webhook_id: randomUUID(), workspace_id: workspaceId, url: 'https://hooks.example.com/', event_types: null, created_at: fixtureTime, version: 0, ...overrides });

/** The same contract on DynamoDB Local and on the in-memory store that unit tests use. */
describe.each([
  ['DynamoDB', () => dynamoDbWebhooks(tableOperations(table.client, table.tableName))],
  ['memory', () => memoryWebhooks()],
])('webhooks on %s', (_, build) => {
  it('are kept per workspace, changed on their version, and removed', async () => {
    const store = build();
    const ws = randomUUID();
    const first = webhook(ws);
    const second = webhook(ws, { created_at: '2026-11-23T12:00:01.000Z', event_types: ['access_code.created'] });
    await store.create(first);
    await store.create(second);
    await expect(store.create(first)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.list(ws)).toEqual([first, second]);
    expect(await store.list(randomUUID())).toEqual([]);
    expect(await store.get(randomUUID(), first.webhook_id)).toBeUndefined();
    await store.update({ ...first, url: 'https://other.example.com/', version: 1 }, first);
    await expect(store.update({ ...first, version: 1 }, first)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.remove(first)).rejects.toBeInstanceOf(ConflictError);
    await store.remove({ ...first, version: 1 });
    expect(await store.list(ws)).toEqual([second]);
  });

  it('park deliveries until their release: due ones are taken once however many callers ask, held for a lease, then forgotten', async () => {
    const store = build();
    const ws = randomUUID();
    const delivery = (attempt: number): WebhookDelivery => ({
      message_id: `msg_${'0'.repeat(31)}${attempt}`,
      workspace_id: ws,
      webhook_id: randomUUID(),
      event: { event_id: randomUUID(), event_type: 'access_code.created', workspace_id: ws },
      attempt,
      first_attempt_at: fixtureTime,
      not_before: '2026-11-23T20:00:00.000Z',
    });
    await store.parkDelivery(delivery(5), '2026-11-23T19:50:00.000Z');
    await store.parkDelivery(delivery(5), '2026-11-23T19:50:00.000Z');
    await store.parkDelivery(delivery(6), '2026-11-24T05:50:00.000Z');
    const lease = '2026-11-23T19:55:00.000Z';
    expect(await store.takeParkedDeliveries('2026-11-23T19:49:59.999Z', lease, 10)).toEqual([]);
    const takers = await Promise.all([1, 2, 3, 4].map(() => store.takeParkedDeliveries('2026-11-23T19:50:00.000Z', lease, 10)));
    expect(takers.flat()).toEqual([delivery(5)].map((d) => ({ ...d, webhook_id: expect.any(String), event: expect.objectContaining({ event_type: 'access_code.created' }) })));
    // Taken and not forgotten: back once its lease is over.
    expect(await store.takeParkedDeliveries('2026-11-23T19:54:59.999Z', '2026-11-23T20:00:00.000Z', 10)).toEqual([]);
    const [again] = await store.takeParkedDeliveries(lease, '2026-11-23T20:00:00.000Z', 10);
    expect(again?.attempt).toBe(5);
    if (again) await store.removeParkedDelivery(again);
    expect(await store.takeParkedDeliveries('2026-11-23T23:00:00.000Z', '2026-11-23T23:05:00.000Z', 10)).toEqual([]);
    expect((await store.takeParkedDeliveries('2026-11-24T06:00:00.000Z', '2026-11-24T06:05:00.000Z', 10)).map((d) => d.attempt)).toEqual([6]);
  });

  it("claim each event's delivery to a webhook once, and list given-up deliveries newest first", async () => {
    const store = build();
    const ws = randomUUID();
    const [hook, event] = [randomUUID(), randomUUID()];
    expect(await store.claimDelivery(ws, hook, event, fixtureTime)).toBe(true);
    expect(await store.claimDelivery(ws, hook, event, fixtureTime)).toBe(false);
    expect(await store.claimDelivery(ws, randomUUID(), event, fixtureTime)).toBe(true);
    const failed = (failedAt: string) => ({
      message_id: `msg_${randomUUID().replaceAll('-', '')}`,
      workspace_id: ws,
      webhook_id: hook,
      event_id: event,
      event_type: 'access_code.created',
      url: 'https://hooks.example.com/',
      attempts: 8,
      first_attempt_at: fixtureTime,
      failed_at: failedAt,
      last_result: '500',
    });
    const older = failed('2026-11-24T15:00:00.000Z');
    const newer = failed('2026-11-25T15:00:00.000Z');
    await store.recordFailedDelivery(older);
    await store.recordFailedDelivery(newer);
    expect(await store.listFailedDeliveries(ws)).toEqual([newer, older]);
  });
});
