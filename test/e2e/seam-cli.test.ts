import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type E2eServer, startE2eServer } from '../support/e2e-server';

/*
 * Seam's own CLI (npm `seam`) drives Latchkey, learning its commands from Latchkey's
 * /openapi.json (--remote_schema): run as a user would run it, non-interactively, reading
 * its JSON output. Its HOME is a temporary folder, so it reads no stored login, and
 * --remote_schema keeps it from fetching Seam's published types from the network.
 */

let server: E2eServer;
let home: string;

beforeAll(async () => {
  server = await startE2eServer();
  home = mkdtempSync(join(tmpdir(), 'latchkey-seam-cli-'));
});

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const seamBin = join(__dirname, '../../node_modules/seam/bin/seam.js');

/** Runs `seam <args> --remote_schema --json --non-interactive` against the local Latchkey; its parsed JSON output. */
function seam(...args: string[]): Promise<Record<string, unknown>> {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SEAM_CLI_ENDPOINT: server.url,
    SEAM_CLI_TOKEN: server.apiKey,
  };
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [seamBin, ...args, '--remote_schema', '--json', '--non-interactive'], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`seam ${args.join(' ')} failed: ${error.message}\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`seam ${args.join(' ')} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
    child.stdin?.end();
  });
}

type Row = Record<string, unknown>;
const rows = (value: unknown): Row[] => (Array.isArray(value) ? (value as Row[]) : []);

test("Seam's CLI lists devices, generates a code, and creates, gets, lists and deletes an access code", async () => {
  const devices = rows((await seam('devices', 'list')).devices);
  const frontDoor = devices.find((d) => d.display_name === 'Front Door');
  expect(frontDoor).toMatchObject({ device_id: expect.any(String), device_type: expect.any(String) });
  const deviceId = String(frontDoor?.device_id);

  const generated = await seam('access-codes', 'generate-code', '--device_id', deviceId);
  expect(generated).toMatchObject({ generated_code: { device_id: deviceId, code: expect.stringMatching(/^\d{4}$/) } });

  const created = await seam('access-codes', 'create', '--device_id', deviceId, '--name', 'CLI guest', '--code', '4826');
  expect(created).toMatchObject({ access_code: { device_id: deviceId, name: 'CLI guest', code: '4826', type: 'ongoing' } });
  const accessCodeId = String((created.access_code as Row).access_code_id);

  expect(await seam('access-codes', 'get', '--access_code_id', accessCodeId)).toMatchObject({ access_code: { access_code_id: accessCodeId, code: '4826' } });
  const listed = rows((await seam('access-codes', 'list', '--device_id', deviceId)).access_codes);
  expect(listed.map((c) => c.access_code_id)).toContain(accessCodeId);

  await seam('access-codes', 'delete', '--access_code_id', accessCodeId);
  // Deleting starts taking the code off the lock: it is removing, or already gone.
  const after = rows((await seam('access-codes', 'list', '--device_id', deviceId)).access_codes).find((c) => c.access_code_id === accessCodeId);
  expect(after === undefined || after.status === 'removing').toBe(true);
}, 120_000);
