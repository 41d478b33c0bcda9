import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { AppError } from '../../lib/errors';
import { logger } from '../../lib/logger';
import type { WebhookTransport } from '../../lib/ports';
import { type DeliveryOutcome, deliverWebhook, enqueueDeliveries, parkedReleaseLeadMs, parkedReleaseLeaseMs, releaseParkedDeliveries, retryDelaysMs } from '../../lib/webhooks/deliver';
import type { WebhookDelivery } from '../../lib/webhooks/schemas';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook, webhookSecretName } from '../../lib/webhooks/webhooks';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';
import { seamWebhook } from '../support/seam-webhook';

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** A receiver per URL: answers the statuses it is given, in turn (the last one from then on). */
function receivers(answers: Record<string, (number | 'timeout' | Promise<number>)[]> = {}) {
  const received: Received[] = [];
  let clock: { now(): Date } = { now: () => new Date() };
  const transport: WebhookTransport = {
    async post(url, headers, body) {
      received.push({ url, headers, body, at: clock.now().getTime() });
      const list = answers[url] ?? [200];
      const answer = list.length > 1 ? list.shift() : list[0];
      const status = await answer;
      return status === 'timeout' || status === undefined ? { failure: 'timeout' as const } : { status };
    },
  };
  return { received, transport, followClock: (c: { now(): Date }) => (clock = c) };
}

async function setup(answers: Record<string, (number | 'timeout' | Promise<number>)[]> = {}) {
  const rx = receivers(answers);
  const app = memoryApp({ webhookTransport: rx.transport });
  rx.followClock(app.clock);
  const ws = await sandboxWorkspace(app.deps);
  const outcomes: DeliveryOutcome[] = [];
  const handle = async (d: WebhookDelivery) => {
    outcomes.push(await deliverWebhook(app.deps, d));
  };
  /** Fans out what was published, releases parked deliveries as the release job does, then runs every delivery due now. */
  const flush = async () => {
    for (const event of app.published.splice(0)) await enqueueDeliveries(app.deps, event);
    await releaseParkedDeliveries(app.deps);
    await app.deliveries.runDue(handle);
  };
  const createCode = () => createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: ws.byType('kwikset_lock').device_id }));
  return { ...app, ...rx, ws, outcomes, handle, flush, createCode };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => (e instanceof AppError ? { type: e.type, status: e.statusCode } : e),
  );

describe('webhooks', () => {
  it('are created with a whsec_ secret shown on create and get, not on list; updated; deleted with their secret', async () => {
    const { deps, ws } = await setup();
    const created = await createWebhook(deps, ws.principal, { url: 'https://hooks.example.com/seam', event_types: ['access_code.set_on_device'] });
    expect(created).toEqual({
      webhook_id: expect.any(String),
      url: 'https://hooks.example.com/seam',
      event_types: ['access_code.set_on_device'],
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{40,}$/),
    });
    expect(await getWebhook(deps, ws.principal, created.webhook_id)).toEqual(created);
    expect(await listWebhooks(deps, ws.principal)).toEqual([{ webhook_id: created.webhook_id, url: created.url, event_types: created.event_types }]);
    await updateWebhook(deps, ws.principal, { webhook_id: created.webhook_id, event_types: ['access_code.created'] });
    expect((await getWebhook(deps, ws.principal, created.webhook_id)).event_types).toEqual(['access_code.created']);

    const other = await sandboxWorkspace(deps, 'Other');
    expect(await rejection(getWebhook(deps, other.principal, created.webhook_id))).toEqual({ type: 'webhook_not_found', status: 404 });
    await deleteWebhook(deps, ws.principal, created.webhook_id);
    expect(await rejection(getWebhook(deps, ws.principal, created.webhook_id))).toEqual({ type: 'webhook_not_found', status: 404 });
    expect(await deps.secrets.get(webhookSecretName(ws.workspaceId, created.webhook_id))).toBeUndefined();
  });

  it('deliver the Seam event, Svix-signed so that @seamapi/webhook verifies it, to the webhooks that want its type', async () => {
    const t = await setup();
    // The verifier refuses timestamps more than 5 minutes from its own (real) clock.
    t.clock.set(new Date().toISOString());
    const all = await createWebhook(t.deps, t.ws.principal, { url: 'https://all.example.com/' });
    const created = await createWebhook(t.deps, t.ws.principal, { url: 'https://created.example.com/', event_types: ['access_code.created'] });
    await createWebhook(t.deps, t.ws.principal, { url: 'https://set.example.com/', event_types: ['access_code.set_on_device'] });
    const { access_code } = await t.createCode();
    const [event] = t.published;
    await t.flush();

    expect(t.received.map((r) => r.url).sort()).toEqual(['https://all.example.com/', 'https://created.example.com/']);
    const { SeamWebhook } = seamWebhook();
    for (const request of t.received) {
      const secret = request.url === all.url ? all.secret : created.secret;
      const verified = new SeamWebhook(secret ?? '').verify(request.body, request.headers);
      expect(verified).toEqual(event);
      expect(verified).toMatchObject({ event_type: 'access_code.created', access_code_id: access_code.access_code_id });
      expect(request.headers['svix-id']).toMatch(/^msg_/);
      expect(() => new SeamWebhook(all.secret === secret ? (created.secret ?? '') : (all.secret ?? '')).verify(request.body, request.headers)).toThrow();
    }
  });

  it('go out once per webhook, however often the bus repeats an event', async () => {
    const t = await setup();
    await createWebhook(t.deps, t.ws.principal, { url: 'https://once.example.com/' });
    await t.createCode();
    const [event] = t.published;
    if (!event) throw new Error('no event');
    expect(await enqueueDeliveries(t.deps, event)).toBe(1);
    expect(await enqueueDeliveries(t.deps, event)).toBe(0);
  });

  it('are retried with backoff under the same message id until the endpoint answers 2xx', async () => {
    const t = await setup({ 'https://flaky.example.com/': [500, 'timeout', 503, 204] });
    await createWebhook(t.deps, t.ws.principal, { url: 'https://flaky.example.com/' });
    await t.createCode();
    const started = t.clock.now().getTime();
    await t.flush();
    for (const delay of retryDelaysMs.slice(0, 3)) {
      t.clock.advance(delay - 1);
      await t.flush();
      t.clock.advance(1);
      await t.flush();
    }
    expect(t.outcomes).toEqual(['retrying', 'retrying', 'retrying', 'delivered']);
    expect(t.received.map((r) => r.at - started)).toEqual([0, 5_000, 305_000, 2_105_000]);
    expect(new Set(t.received.map((r) => r.headers['svix-id'])).size).toBe(1);
    expect(new Set(t.received.map((r) => r.headers['svix-timestamp'])).size).toBe(4);
    expect(t.deliveries.size).toBe(0);
  });

  it('are given up after the last retry, about 27.5 hours on, dead-lettered and listed for the operator', async () => {
    const t = await setup({ 'https://down.example.com/': [500] });
    const hook = await createWebhook(t.deps, t.ws.principal, { url: 'https://down.example.com/' });
    await t.createCode();
    await t.flush();
    for (const delay of retryDelaysMs) {
      t.clock.advance(delay);
      await t.flush();
    }
    expect(t.outcomes).toEqual([...retryDelaysMs.map(() => 'retrying'), 'given_up']);
    expect(t.deliveries.deadLetters).toHaveLength(1);
    expect(await t.deps.webhooks.listFailedDeliveries(t.ws.workspaceId)).toEqual([
      expect.objectContaining({ webhook_id: hook.webhook_id, event_type: 'access_code.created', attempts: 8, last_result: '500', url: hook.url }),
    ]);
    const total = retryDelaysMs.reduce((sum, ms) => sum + ms, 0);
    expect((t.received.at(-1)?.at ?? 0) - (t.received[0]?.at ?? 0)).toBe(total);
    expect(total / 3_600_000).toBeCloseTo(27.6, 1);
  });

  it("wait past a queue's longest delay parked in the table, not going round the queue, and go back to it shortly before they are due", async () => {
    const t = await setup({ 'https://later.example.com/': [200] });
    const hook = await createWebhook(t.deps, t.ws.principal, { url: 'https://later.example.com/' });
    const inFiveHours = new Date(t.clock.now().getTime() + 5 * 3_600_000).toISOString();
    const early: WebhookDelivery = {
      message_id: 'msg_0123456789abcdef0123456789abcdef',
      workspace_id: t.ws.workspaceId,
      webhook_id: hook.webhook_id,
      event: { event_id: '00000000-0000-4000-8000-000000000001', event_type: 'access_code.created', workspace_id: t.ws.workspaceId },
      attempt: 5,
      first_attempt_at: t.clock.now().toISOString(),
      not_before: inFiveHours,
    };
    expect(await deliverWebhook(t.deps, early)).toBe('held');
    expect(t.deliveries.size).toBe(0);
    // Every minute for five hours, as the release job runs: nothing is sent or queued until 10 minutes before.
    for (let minute = 1; minute < 290; minute++) {
      t.clock.advance(60_000);
      await t.flush();
      expect(t.deliveries.size).toBe(0);
    }
    t.clock.advance(60_000);
    await t.flush();
    expect(t.deliveries.size).toBe(1);
    expect(t.outcomes).toEqual([]);
    t.clock.advance(parkedReleaseLeadMs);
    await t.flush();
    expect(t.outcomes).toEqual(['delivered']);
    expect(t.received.map((r) => r.at)).toEqual([Date.parse(inFiveHours)]);
  });

  it('parked for a retry hours away: two releases at once queue it once; one that stopped before forgetting it queues it again after its lease', async () => {
    const t = await setup({ 'https://down-a-while.example.com/': [500, 500, 500, 200] });
    await createWebhook(t.deps, t.ws.principal, { url: 'https://down-a-while.example.com/' });
    await t.createCode();
    await t.flush();
    t.clock.advance(retryDelaysMs[0]);
    await t.flush();
    t.clock.advance(retryDelaysMs[1]);
    await t.flush();
    // The third retry is 30 minutes away: parked, not queued.
    expect(t.outcomes).toEqual(['retrying', 'retrying', 'retrying']);
    expect(t.deliveries.size).toBe(0);
    t.clock.advance((retryDelaysMs[2] ?? 0) - parkedReleaseLeadMs);
    expect(await Promise.all([releaseParkedDeliveries(t.deps), releaseParkedDeliveries(t.deps)])).toEqual([1, 0]);
    expect(t.deliveries.size).toBe(1);

    // A release that claimed it and stopped before removing it: the delivery comes back after the lease.
    const deliveries = { ...t.deps.deliveries, send: async () => {} };
    const webhooks = { ...t.deps.webhooks, removeParkedDelivery: async () => Promise.reject(new Error('stopped')) };
    await t.deps.webhooks.parkDelivery({ ...(await onlyQueued(t)), attempt: 9 }, t.clock.now().toISOString());
    await expect(releaseParkedDeliveries({ ...t.deps, deliveries, webhooks })).rejects.toThrow('stopped');
    expect(await releaseParkedDeliveries(t.deps)).toBe(0);
    t.clock.advance(parkedReleaseLeaseMs);
    expect(await releaseParkedDeliveries(t.deps)).toBe(1);
    expect(await releaseParkedDeliveries(t.deps)).toBe(0);
  });

  it('to a slow endpoint hold none of the others back', async () => {
    let release: (status: number) => void = () => {};
    const slow = new Promise<number>((resolve) => (release = resolve));
    const t = await setup({ 'https://slow.example.com/': [slow] });
    await createWebhook(t.deps, t.ws.principal, { url: 'https://slow.example.com/' });
    await createWebhook(t.deps, t.ws.principal, { url: 'https://fast.example.com/' });
    await t.createCode();
    for (const event of t.published.splice(0)) await enqueueDeliveries(t.deps, event);
    const running = t.deliveries.runDue(t.handle);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.outcomes).toEqual(['delivered']);
    release(200);
    await running;
    expect(t.outcomes).toEqual(['delivered', 'delivered']);
  });

  it('keep secrets out of the logs', async () => {
    const t = await setup({ 'https://logged.example.com/': [500, 200] });
    const hook = await createWebhook(t.deps, t.ws.principal, { url: 'https://logged.example.com/' });
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    logger.setLogLevel('DEBUG');
    try {
      await t.createCode();
      await t.flush();
      t.clock.advance(retryDelaysMs[0]);
      await t.flush();
    } finally {
      logger.setLogLevel('SILENT');
      spy.mockRestore();
    }
    expect(written.join('')).toContain('webhook delivered');
    const key = (hook.secret ?? '').slice('whsec_'.length);
    expect(written.join('')).not.toContain(key);
    expect(written.join('')).not.toContain(t.received[0]?.headers['svix-signature']?.slice(3) ?? 'x');
  });
});

/** The one delivery waiting on the in-process queue, taken off it. */
async function onlyQueued(t: { deliveries: { runDue(handle: (d: WebhookDelivery) => Promise<unknown>): Promise<void> }; clock: { advance(ms: number): void } }): Promise<WebhookDelivery> {
  const taken: WebhookDelivery[] = [];
  t.clock.advance(parkedReleaseLeadMs);
  await t.deliveries.runDue(async (d) => taken.push(d));
  const [delivery] = taken;
  if (taken.length !== 1 || delivery === undefined) throw new Error(`expected one queued delivery, got ${taken.length}`);
  return delivery;
}
