import { randomUUID } from 'node:crypto';
import { envSchema } from '../../lib/config';
import { checkedForLambda, composeApp } from '../../lib/deps';
import { buildDeps } from '../../lib/wiring/whole-app';
import { engine } from '../../lib/wiring/engine';
import { locks } from '../../lib/wiring/locks';
import { callsLocks, functionNeeds, jobs, needsOf, requiredVariables } from '../../lib/triggers';
import { webhookDeliverySchema } from '../../lib/webhooks/schemas';

const lambda = (fn: string, variables: Record<string, string> = {}) =>
  envSchema.parse({ AWS_LAMBDA_FUNCTION_NAME: `latchkey-dev-${fn}`, LATCHKEY_FUNCTION: fn, LATCHKEY_TABLE_NAME: 'latchkey-dev', ...variables });

/** Every variable a function's table entry needs, set to a plausible value. */
const configuredFor = (fn: string) =>
  Object.fromEntries(requiredVariables(needsOf(fn)).map((variable) => [variable, variable === 'LATCHKEY_ZWAVE_HUBS' ? 'aws-iot' : `https://example.test/${variable}`]));

describe('a Lambda cold start', () => {
  test.each(['webhooks-seam', ...jobs.map((job) => job.fn), 'access-codes-get'])('%s starts with the configuration its table entry needs', (fn) => {
    expect(() => checkedForLambda(lambda(fn, configuredFor(fn)))).not.toThrow();
  });

  test('the function behind Seam webhooks fails without the follow-up queue, naming the variable and why', () => {
    const { LATCHKEY_FOLLOW_UP_QUEUE_URL: _, ...rest } = configuredFor('webhooks-seam');
    expect(() => checkedForLambda(lambda('webhooks-seam', rest))).toThrow('webhooks-seam cannot start: LATCHKEY_FOLLOW_UP_QUEUE_URL is not set (it takes engine steps, which schedule follow-ups)');
  });

  test('the outbox relay fails without its bus', () => {
    expect(() => checkedForLambda(lambda('publish-events'))).toThrow('publish-events cannot start: LATCHKEY_EVENT_BUS_NAME is not set (it puts events on the bus)');
  });

  test('webhook delivery fails without its queues, naming each', () => {
    expect(() => checkedForLambda(lambda('deliver-webhooks', { LATCHKEY_SECRETS_PREFIX: 'latchkey/dev/' }))).toThrow(
      'deliver-webhooks cannot start: LATCHKEY_WEBHOOK_QUEUE_URL is not set (it queues webhook deliveries); LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL is not set (it queues webhook deliveries)',
    );
  });

  test.each([...functionNeeds.keys()])('%s starts with the pieces its table entry needs, and only those', (fn) => {
    const needs = needsOf(fn);
    const pieces = { ...(callsLocks(needs) && { locks }), ...(needs.followUps && { engine }) };
    expect(() => checkedForLambda(lambda(fn, configuredFor(fn)), pieces)).not.toThrow();
  });

  test('a function whose table entry calls locks fails without the lock side, naming it', () => {
    expect(() => checkedForLambda(lambda('access-codes-create'), {})).toThrow('access-codes-create cannot start: its entry wires no lock side (lib/wiring/locks.ts), which its table entry needs');
  });

  test('a function whose table entry takes engine steps fails without the engine, naming it', () => {
    expect(() => checkedForLambda(lambda('webhooks-seam', configuredFor('webhooks-seam')), { locks })).toThrow(
      'webhooks-seam cannot start: its entry wires no engine (lib/wiring/engine.ts), which its table entry needs (it takes engine steps)',
    );
  });

  test('a function whose table entry takes no engine step fails with the engine: its bundle would hold code it never runs', () => {
    expect(() => checkedForLambda(lambda('access-codes-create'), { locks, engine })).toThrow(
      'access-codes-create cannot start: its entry wires the engine, which its table entry does not need (it takes no engine step)',
    );
  });

  test('a function whose table entry calls no lock fails with the lock side: its bundle would hold code it never runs', () => {
    expect(() => checkedForLambda(lambda('access-codes-get'), { locks })).toThrow(
      'access-codes-get cannot start: its entry wires the lock side, which its table entry does not need (no lifecycle, credentials or hub shadows)',
    );
  });

  test('a function the stack did not name fails', () => {
    expect(() => checkedForLambda(envSchema.parse({ AWS_LAMBDA_FUNCTION_NAME: 'latchkey-dev-x' }))).toThrow('LATCHKEY_FUNCTION is not set');
    expect(() => checkedForLambda(lambda('no-such-function'))).toThrow('no-such-function is in neither the routes nor the trigger table');
  });

  test('outside Lambda (local mode, tests, the CLI) nothing is required', () => {
    expect(() => checkedForLambda(envSchema.parse({ LATCHKEY_FUNCTION: 'webhooks-seam' }))).not.toThrow();
  });
});

const delivery = {
  message_id: `msg_${'0'.repeat(32)}`,
  workspace_id: randomUUID(),
  webhook_id: randomUUID(),
  event: { event_id: randomUUID(), event_type: 'access_code.created', workspace_id: randomUUID() },
  attempt: 1,
  first_attempt_at: '2026-11-23T12:00:00.000Z',
};

describe('buildDeps without the in-process stand-ins of local mode', () => {
  const deps = buildDeps(envSchema.parse({ LATCHKEY_STORE: 'memory' }));

  test('schedules no follow-ups in process: there is no silent fallback', () => {
    expect(deps.followUps).toBeUndefined();
  });

  test('refuses to publish without a bus, naming the variable', async () => {
    await expect(deps.publisher.publish([])).rejects.toThrow('The event bus is not configured: LATCHKEY_EVENT_BUS_NAME is not set');
  });

  test('refuses to queue a webhook delivery without a queue, naming the variable', async () => {
    await expect(deps.deliveries.send(webhookDeliverySchema.parse(delivery), 0)).rejects.toThrow('The webhook delivery queue is not configured: LATCHKEY_WEBHOOK_QUEUE_URL is not set');
  });

  test('takes its settings from the config schema', () => {
    expect(deps.settings).toEqual({
      jitLeadSeconds: 3600,
      nativeLeadHours: 72,
      recurringLeadSeconds: 120,
      delayWarningMs: 300_000,
      maxAttempts: 10,
      retryBaseMs: 5000,
      retryCapMs: 300_000,
      lockSweepMs: 3_600_000,
    });
  });
});

describe('composeApp by pieces', () => {
  test('with the lock side but no engine (a function that takes no engine step) has providers and no engine', () => {
    const deps = composeApp(envSchema.parse({ LATCHKEY_TABLE_NAME: 'latchkey-dev' }), { locks });
    expect(Object.keys(deps).filter((key) => ['providers', 'accountSources', 'engine'].includes(key))).toEqual(['providers', 'accountSources']);
  });

  test('refuses the engine without the lock side it drives', () => {
    expect(() => composeApp(envSchema.parse({ LATCHKEY_TABLE_NAME: 'latchkey-dev' }), { engine })).toThrow('The engine is wired without the lock side it drives (lib/wiring/locks.ts)');
  });
});

describe('composeApp without the lock side (a function whose table entry calls no lock)', () => {
  test('has no providers, account sources or engine', () => {
    const deps = composeApp(envSchema.parse({ LATCHKEY_TABLE_NAME: 'latchkey-dev' }), {});
    expect(Object.keys(deps).filter((key) => ['providers', 'accountSources', 'engine'].includes(key))).toEqual([]);
    expect(typeof deps.authenticate).toBe('function');
  });

  test('stands in for the memory store with one that names the fault at its first use: tests and npm start serve their own deps', () => {
    const deps = composeApp(envSchema.parse({ LATCHKEY_STORE: 'memory' }), {});
    expect(() => deps.workspaces.list()).toThrow('The memory store is not wired into a function of its own: LATCHKEY_STORE=memory is served through buildDeps (lib/wiring/whole-app.ts)');
  });

  test('in Lambda, a cold start refuses the memory store', () => {
    expect(() => checkedForLambda(lambda('access-codes-get', { LATCHKEY_STORE: 'memory' }), {})).toThrow(
      'access-codes-get cannot start: LATCHKEY_STORE is memory, which only local mode and tests wire',
    );
  });
});
