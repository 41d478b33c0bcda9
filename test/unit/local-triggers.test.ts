import { randomUUID } from 'node:crypto';
import { eventSource } from '../../lib/adapters/eventbridge-publisher';
import { envSchema } from '../../lib/config';
import { eventSchema, type SeamEvent } from '../../lib/events/schemas';
import { webhookDeliverySchema } from '../../lib/webhooks/schemas';
import { z } from 'zod';
import { buildLocalApp } from '../../lib/local/local-app';
import { startLocalTriggers } from '../../lib/local/local-triggers';
import { jobs } from '../../lib/triggers';
import { ManualClock } from '../support/memory-app';

const event = (event_type: string): SeamEvent =>
  eventSchema.parse({
    event_id: randomUUID(),
    event_type,
    workspace_id: randomUUID(),
    access_code_id: randomUUID(),
    device_id: randomUUID(),
    connected_account_id: randomUUID(),
    occurred_at: '2026-11-23T12:00:00.000Z',
    created_at: '2026-11-23T12:00:00.000Z',
  });

/** Local mode on the real trigger table, with handlers that record how they were invoked. */
async function localMode() {
  const calls: { fn: string; event: unknown }[] = [];
  const app = buildLocalApp(envSchema.parse({ LATCHKEY_STORE: 'memory', LOG_LEVEL: 'SILENT' }), { clock: new ManualClock() });
  const stops = await startLocalTriggers(jobs, app, { tickSeconds: 5 }, async (fn) => async (invoked) => {
    calls.push({ fn, event: invoked });
    return { batchItemFailures: [] };
  });
  return { app, calls, stop: () => Promise.all(stops.map((stop) => stop())) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('runs the daily job at start, and the poll on every tick, as the schedules in the table say', async () => {
  const { calls, stop } = await localMode();
  expect(calls.map((c) => c.fn)).toEqual(['sync-connected-accounts']);
  await jest.advanceTimersByTimeAsync(5000);
  expect(calls.filter((c) => c.fn === 'poll-pending-codes')).toEqual([{ fn: 'poll-pending-codes', event: {} }]);
  await stop();
});

test("hands bus events to the jobs whose rule wants them, in EventBridge's envelope with the stack's source", async () => {
  const { app, calls, stop } = await localMode();
  calls.length = 0;
  const created = event('access_code.created');
  await app.bus.publish([created, event('access_code.set_on_device')]);
  await jest.advanceTimersByTimeAsync(0);
  expect(calls.map((c) => c.fn).sort()).toEqual(['fan-out-webhooks', 'fan-out-webhooks', 'process-access-code']);
  expect(calls.find((c) => c.fn === 'process-access-code')?.event).toMatchObject({ source: eventSource, 'detail-type': 'access_code.created', detail: created });
  await stop();
});

test('hands a due follow-up to run-follow-ups, and a webhook delivery to deliver-webhooks, as SQS records', async () => {
  const { app, calls, stop } = await localMode();
  calls.length = 0;
  const workspaceId = randomUUID();
  const accessCodeId = randomUUID();
  await app.followUps.schedule(workspaceId, accessCodeId, '2026-11-23T12:00:00.000Z');
  await jest.advanceTimersByTimeAsync(0);
  expect(calls).toEqual([{ fn: 'run-follow-ups', event: { Records: [expect.objectContaining({ eventSource: 'aws:sqs' })] } }]);
  const [{ body }] = z.object({ Records: z.tuple([z.object({ body: z.string() })]) }).parse(calls[0]?.event).Records;
  expect(JSON.parse(body)).toEqual({ workspace_id: workspaceId, access_code_id: accessCodeId });

  calls.length = 0;
  const delivery = webhookDeliverySchema.parse({
    message_id: `msg_${randomUUID().replaceAll('-', '')}`,
    workspace_id: workspaceId,
    webhook_id: randomUUID(),
    event: { event_id: randomUUID(), event_type: 'access_code.created', workspace_id: workspaceId },
    attempt: 1,
    first_attempt_at: '2026-11-23T12:00:00.000Z',
  });
  await app.deliveries.send(delivery, 0);
  await jest.advanceTimersByTimeAsync(1000);
  expect(calls.map((c) => c.fn)).toEqual(['deliver-webhooks']);
  await stop();
});

test('loads the handler of every job of the table that starts in process, and only those', async () => {
  const loaded: string[] = [];
  const app = buildLocalApp(envSchema.parse({ LATCHKEY_STORE: 'memory', LOG_LEVEL: 'SILENT' }), { clock: new ManualClock() });
  const stops = await startLocalTriggers(jobs, app, { tickSeconds: 5 }, async (fn) => {
    loaded.push(fn);
    return async () => ({ batchItemFailures: [] });
  });
  // The stream's relay publishes directly; hub events come through local IoT Core (lib/local/zwave).
  expect(loaded.sort()).toEqual(
    jobs
      .filter((job) => job.trigger.kind !== 'stream' && job.trigger.kind !== 'iot')
      .map((job) => job.fn)
      .sort(),
  );
  await Promise.all(stops.map((stop) => stop()));
});
