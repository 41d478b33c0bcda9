import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * "Acknowledged means kept", as a new user tries it: `npm start` on its own data directory, 50
 * concurrent creates on 5 locks, and a SIGKILL of the whole process group after some answers
 * (npm, node and, before the fix, DynamoDB Local with them). Each restart finds every code
 * that was acknowledged. Runs one after another on the same files, each killed at another point.
 */

const apiKey = 'seam_start_crash_test_key_0123456789';
const killAfter = [3, 27, 49];
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  stopLeftoverDynamoDbLocal();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The DynamoDB Local the last kill left running (npm start stops it itself when it starts again). */
function stopLeftoverDynamoDbLocal() {
  try {
    process.kill(Number(readFileSync(join(dataDir, 'dynamodb-local.pid'), 'utf8')), 'SIGTERM');
  } catch {
    // None left.
  }
}

/** `npm start` in a process group of its own (as a terminal starts it); resolves with its URL once it serves. */
async function start(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('node', ['--conditions=import', '--import', 'tsx', 'lib/local/main.ts'], {
    env: { ...process.env, PORT: '0', LATCHKEY_STORE: 'dynamodb', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_API_KEY: apiKey, LATCHKEY_TICK_SECONDS: '3600', LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
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

async function call(url: string, path: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

const idOf = (body: Record<string, unknown>): string | undefined => {
  const code = body.access_code;
  return typeof code === 'object' && code !== null && 'access_code_id' in code && typeof code.access_code_id === 'string' ? code.access_code_id : undefined;
};

test('every create acknowledged before a SIGKILL of the process group is there after the restart, wherever the kill falls', async () => {
  let server = await start();
  const acknowledged: string[] = [];
  for (const [run, after] of killAfter.entries()) {
    const listed = await call(server.url, '/devices/list', {});
    const locks = (listed.body.devices as { device_id: string }[]).slice(0, 5);
    const group = server.child.pid ?? 0;
    let answered = 0;
    const exited = once(server.child, 'exit');
    await Promise.allSettled(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await call(server.url, '/access_codes/create', { device_id: locks[i % locks.length]?.device_id, name: `run ${run} #${i}` });
        const id = idOf(res.body);
        if (res.status !== 200 || id === undefined) return;
        acknowledged.push(id);
        answered += 1;
        if (answered === after) process.kill(-group, 'SIGKILL');
      }),
    );
    await exited;
    server = await start();
    const missing: string[] = [];
    for (const id of acknowledged) if ((await call(server.url, '/access_codes/get', { access_code_id: id })).status !== 200) missing.push(id);
    expect({ run, killedAfter: after, missing }).toEqual({ run, killedAfter: after, missing: [] });
  }
  expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter.reduce((a, b) => a + b, 0));
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
  // Four starts of npm start: about 20 s on an idle machine, several times that on a loaded one.
}, 300_000);
