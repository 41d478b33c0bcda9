import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dynamoDbKeypadStore } from '../../lib/adapters/dynamodb-keypads';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import type { Stores } from '../../lib/ports';
import { type TestTable, startTestTable } from '../support/dynamodb-local';

/*
 * The outbox across a crash: `npm start` commits a code and its access_code.created event and
 * is killed (SIGKILL) before it publishes; the next start publishes the event from the table's
 * stream, and the worker it starts programs the lock. Nothing between the commit and the bus
 * is lost. The poller is kept off (a one-hour tick), so only the event can start the work.
 */

const apiKey = 'seam_outbox_crash_test_key_0123456789';
let table: TestTable;
let stores: Stores;
const children: ChildProcess[] = [];

beforeAll(async () => {
  table = await startTestTable();
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await table?.stop();
});

/** `npm start` on the test's DynamoDB Local; resolves with its URL once it serves. */
async function start(streamPollMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('node', ['--conditions=import', '--import', 'tsx', 'lib/local/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      LATCHKEY_STORE: 'dynamodb',
      LATCHKEY_DYNAMODB_ENDPOINT: table.endpoint,
      LATCHKEY_TABLE_NAME: table.tableName,
      LATCHKEY_API_KEY: apiKey,
      LATCHKEY_TICK_SECONDS: '3600',
      LATCHKEY_STREAM_POLL_MS: String(streamPollMs),
      LATCHKEY_SANDBOX_LATENCY_MS: '100',
      LATCHKEY_SANDBOX_FAILURE_RATE: '0',
      LOG_LEVEL: 'SILENT',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const url = /serving the Seam access-codes API on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) return { url, child };
  }
  throw new Error(`npm start exited before serving:\n${output}`);
}

async function post(url: string, path: string, body: object) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return JSON.parse(await res.text());
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('the outbox across a crash (npm start on DynamoDB Local, SIGKILL)', () => {
  it('publishes an event committed just before the process was killed, when it starts again', async () => {
    // A relay that would read the stream only in an hour: the kill comes between commit and publish.
    const first = await start(3_600_000);
    const devices = await post(first.url, '/devices/list', {});
    const lock = devices.devices.find((d: { device_type: string }) => d.device_type === 'kwikset_lock');
    const created = await post(first.url, '/access_codes/create', { device_id: lock.device_id, name: 'crash' });
    const { workspace_id, access_code_id } = created.access_code;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const [event] = await stores.events.list(workspace_id, { access_code_id, since: '2000-01-01T00:00:00Z', limit: 10 });
    expect(event?.event_type).toBe('access_code.created');
    const keypads = dynamoDbKeypadStore(table.client, table.tableName);
    expect(await keypads.get(workspace_id, lock.device_id, access_code_id)).toBeUndefined();

    const second = await start(100);
    // The worker programs the lock only when the access_code.created event reaches the bus.
    const slot = await eventually(() => keypads.get(workspace_id, lock.device_id, access_code_id));
    expect(slot).toMatchObject({ access_code_id, code: created.access_code.code });
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
  });
});
