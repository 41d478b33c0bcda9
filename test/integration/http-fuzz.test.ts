import { randomUUID } from 'node:crypto';
import * as fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import type { AppDeps } from '../../lib/deps';
import { buildDeps } from '../../lib/wiring/whole-app';
import { routes } from '../../lib/http/routes';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { type TestHttpServer, startHttpServer } from '../support/http-server';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

/*
 * Property-based fuzz of every route and verb through the real local HTTP server: whatever a
 * client sends, the answer is never a 5xx; every 4xx is Seam-shaped and names its request id,
 * in the body and in the seam-request-id header; and a refused request changes nothing.
 */

let server: TestHttpServer;
let deps: AppDeps;
let ws: Awaited<ReturnType<typeof sandboxWorkspace>>;
let codeId: string;
let table: TestTable | undefined;

async function setUp(store: 'memory' | 'dynamodb') {
  if (store === 'dynamodb') {
    table = await startTestTable();
    deps = buildDeps(loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: table.endpoint, LATCHKEY_TABLE_NAME: table.tableName, LOG_LEVEL: 'SILENT' }));
  } else {
    deps = memoryApp().deps;
  }
  ws = await sandboxWorkspace(deps);
  server = await startHttpServer(deps);
  const created = await fetch(`${server.url}/access_codes/create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ device_id: ws.byType('kwikset_lock').device_id, code: '4829' }),
  });
  codeId = JSON.parse(await created.text()).access_code.access_code_id;
}

async function tearDown() {
  await server?.stop();
  await table?.stop();
  table = undefined;
}

/** Everything a request could change, read back through the stores. */
async function snapshot(): Promise<string> {
  const id = ws.workspaceId;
  const [codes, devices, events] = await Promise.all([
    deps.accessCodes.list(id, { limit: 1000 }),
    deps.devices.list(id, { limit: 1000 }),
    deps.events.list(id, { since: '1970-01-01T00:00:00.000Z', limit: 1000 }),
  ]);
  return JSON.stringify({ codes: codes.items, devices, events });
}

const fields = [
  'device_id',
  'device_ids',
  'access_code_id',
  'access_code_ids',
  'action_attempt_id',
  'event_id',
  'connected_account_id',
  'code',
  'name',
  'starts_at',
  'ends_at',
  'common_code_key',
  'type',
  'sync',
  'is_managed',
  'prefer_native_scheduling',
  'preferred_code_length',
  'max_time_rounding',
  'attempt_for_offline_device',
  'is_offline_access_code',
  'is_one_time_use',
  'use_backup_access_code_pool',
  'allow_external_modification',
  'behavior_when_code_cannot_be_shared',
  'supported_code_lengths',
  'min_code_length',
  'max_code_length',
  'limit',
  'page_cursor',
  'search',
  'since',
  'between',
  'event_type',
  'event_types',
  'user_identifier_key',
  'client_session_id',
  'expires_at',
  'automatically_manage_new_devices',
  'custom_metadata',
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
];

/** Values that have broken parsers before, beside fully random ones. */
const oddStrings = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  '[]',
  '{}',
  '4829',
  '1'.repeat(13),
  '1'.repeat(5000),
  'x'.repeat(300),
  '2027-02-29T12:00:00Z',
  '2027-04-31T10:00:00Z',
  '2027-01-01T10:00:00\u0000Z',
  '2030-01-01T00:00:00Z',
  '1999-12-31T23:59:59Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '\u0000',
  '\ud800',
  '🔑'.repeat(200),
  '../../etc/passwd',
  "'; DROP TABLE x; --",
  'CODE#x',
  'WS#x',
  '%00',
  'eyJzayI6IkNPREUjeCJ9',
);

const queryOf = (input: Record<string, unknown>) => {
  const search = new URLSearchParams();
  for (const [key, v] of Object.entries(input)) {
    for (const item of Array.isArray(v) ? v : [v]) search.append(Array.isArray(v) ? `${key}[]` : key, typeof item === 'string' ? item : JSON.stringify(item));
  }
  return search.toString();
};

/** The requests to try; built once the workspace and its ids exist. */
function requests() {
  const knownIds = fc.constantFrom(ws.byType('kwikset_lock').device_id, ws.byType('schlage_lock').device_id, codeId, randomUUID());
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    leaf: fc.oneof(oddStrings, knownIds, fc.string({ maxLength: 40 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...fields), tie('node'), { maxKeys: 3 })),
  })).node;

  const params = fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 })), value, { maxKeys: 6 });
  const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
  // Mostly a verb the route takes, so that requests get past the verb check to the parser.
  const target = fc.oneof(
    {
      weight: 9,
      arbitrary: fc.constantFrom(...routes).chain((route) =>
        fc.record({
          path: fc.constant(route.path.replace('{connected_account_id}', randomUUID())),
          method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: anyMethod }),
        }),
      ),
    },
    { weight: 1, arbitrary: fc.record({ path: fc.constantFrom('/', '/nope', '/access_codes', '/access_codes/get/extra'), method: anyMethod }) },
  );
  return fc.record({
    target,
    auth: fc.oneof({ weight: 8, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: fc.constantFrom('none', 'Bearer seam_unknown_key_0123456789', 'Basic abc', 'Bearer ') }),
    input: params,
    as: fc.constantFrom('query', 'json', 'both', 'raw'),
    raw: fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('{', '[]', 'null', '"x"', '{"a":', '\u0000', '{"__proto__":{"x":1}}')),
  });
}

// DynamoDB Local is slower per request: fewer runs there, for what only a real table refuses (key sizes).
describe.each([
  ['memory', 400],
  ['dynamodb', 120],
] as const)('every route and verb, through the real HTTP server (%s store)', (store, runs) => {
  beforeAll(() => setUp(store));
  afterAll(tearDown);

  it(
    'answers anything with no 5xx, Seam-shaped 4xx with a request id, and no change from a refused request',
    async () => {
      await fc.assert(
        fc.asyncProperty(requests(), async ({ target: { path, method }, ...r }) => {
          const before = await snapshot();
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (r.auth === 'valid') headers.authorization = `Bearer ${ws.apiKey}`;
          else if (r.auth !== 'none') headers.authorization = r.auth;
          const query = r.as === 'query' || r.as === 'both' ? queryOf(r.input) : '';
          const body = method === 'GET' ? undefined : r.as === 'raw' ? r.raw : r.as === 'query' ? undefined : JSON.stringify(r.input);
          const res = await fetch(`${server.url}${path}${query ? `?${query}` : ''}`, { method: method, headers, body });
          const text = await res.text();
          if (process.env.FUZZ_STATS) console.error(`FUZZ ${res.status} ${method} ${path}`);
          expect(res.status).toBeLessThan(500);
          const requestId = res.headers.get('seam-request-id');
          expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
          if (res.status >= 400) {
            expect(JSON.parse(text)).toEqual({
              error: expect.objectContaining({ type: expect.any(String), message: expect.any(String), request_id: requestId }),
              ok: false,
            });
            expect(await snapshot()).toBe(before);
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? runs), seed: Number(process.env.FUZZ_SEED ?? 20261130) },
      );
    },
    Number(process.env.FUZZ_RUNS ?? runs) * 250 + 20_000,
  );
});
