import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { openapi as seamOpenapi } from '@seamapi/types/connect';
import type { OpenAPI } from 'openapi-types';
import { buildOpenApiDocument, openApiDocument } from '../../lib/http/openapi';
import { type RouteContract, routeContracts } from '../../lib/http/route-contract';
import { routes } from '../../lib/http/routes';
import { inputSchemas } from '../../lib/http/seam-route';
import { makeHandler } from '../../functions/openapi';
import { invoke, memoryApp, sandboxWorkspace } from '../support/memory-app';
import { latchkeyAnswerErrors, recordAnswers } from '../support/latchkey-answers';
import { startHttpServer } from '../support/http-server';

const document = openApiDocument();
type Operation = {
  security: Record<string, string[]>[];
  'x-response-key': string | null;
  'x-fern-sdk-group-name': string[];
  'x-fern-sdk-method-name': string;
  'x-title': string;
  description?: string;
};
const operations = (path: string) => Object.entries((document.paths as Record<string, Record<string, Operation>>)[path] ?? {});

describe('the OpenAPI document', () => {
  test('is valid OpenAPI 3.0 (swagger-parser)', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as OpenAPI.Document)).resolves.toBeDefined();
  });

  test('is built once and kept', () => {
    expect(openApiDocument()).toBe(document);
    expect(buildOpenApiDocument('1.0.0')).toEqual(document);
  });

  test("Seam's blueprint accepts it (omitUndocumented), with every Seam route a command that answers its resource", () => {
    const out = execFileSync(process.execPath, [join(__dirname, '../support/blueprint.mjs')], { input: JSON.stringify(document), encoding: 'utf8' });
    const blueprint: { ok: boolean; error?: string; endpoints: { path: string; response: string; resource: string | null }[]; resources: string[] } = JSON.parse(out);
    expect(blueprint.error).toBeUndefined();
    expect(blueprint.resources).toEqual(expect.arrayContaining(['access_code', 'unmanaged_access_code', 'device', 'event', 'connected_account', 'client_session', 'webhook', 'workspace']));
    expect(blueprint.endpoints).toEqual(
      expect.arrayContaining([
        { path: '/devices/list', response: 'resource_list', resource: 'device' },
        { path: '/access_codes/create', response: 'resource', resource: 'access_code' },
        { path: '/access_codes/generate_code', response: 'resource', resource: 'generated_code' },
        { path: '/access_codes/delete', response: 'void', resource: null },
      ]),
    );
    // Not Seam's API: left out of Seam's tools.
    expect(blueprint.endpoints.map((e) => e.path)).not.toEqual(expect.arrayContaining(['/openapi.json']));
  });

  test('documents every route of the routes table, with Seam’s x- fields', () => {
    for (const route of routes) {
      const documented = operations(route.path);
      expect(documented.length).toBeGreaterThan(0);
      for (const [, op] of documented) {
        expect(op['x-title']).toBe(routeContracts[route.path].title);
        expect(op['x-response-key']).toBe(routeContracts[route.path].responseKey);
        expect(op['x-fern-sdk-method-name']).toBe(route.path.split('/').at(-1));
      }
    }
  });

  test('names the credentials each route takes', () => {
    const securityOf = (path: string) => operations(path)[0]?.[1].security.map((s) => Object.keys(s).join('+'));
    expect(securityOf('/access_codes/create')).toEqual(['api_key', 'pat_with_workspace+seam_workspace', 'client_session']);
    expect(securityOf('/client_sessions/create')).toEqual(['api_key', 'pat_with_workspace+seam_workspace', 'publishable_key']);
    expect(securityOf('/workspaces/list')).toContain('pat_without_workspace');
    expect(securityOf('/openapi.json')).toEqual([]);
  });

  test('write routes take an Idempotency-Key header; reads do not', () => {
    const headers = (path: string) =>
      operations(path).map(([method, op]) => [method, ((op as { parameters?: { in: string; name: string }[] }).parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name)]);
    expect(headers('/access_codes/delete')).toEqual([
      ['post', ['Idempotency-Key']],
      ['delete', ['Idempotency-Key']],
    ]);
    expect(headers('/access_codes/get')).toEqual([
      ['get', []],
      ['post', []],
    ]);
  });

  test("marks Latchkey's own routes and fields", () => {
    expect(operations('/access_codes/simulate/external_modification')[0]?.[1].description).toMatch(/^Latchkey's addition/);
    expect(operations('/connected_accounts/update').map(([m]) => m)).toEqual(['post', 'patch']);
    expect(operations('/connected_accounts/update')[0]?.[1].description).toBe('Also takes PUT.');
  });

  test("every handler parses its input with the schema its route's contract documents", async () => {
    const { deps } = memoryApp();
    const server = await startHttpServer(deps);
    await server.stop();
    const contracts: Record<string, RouteContract> = routeContracts;
    for (const route of routes) expect([route.path, inputSchemas.get(route.path)]).toEqual([route.path, contracts[route.path]?.input]);
  });
});

describe('GET /openapi.json', () => {
  const handler = makeHandler();

  test('answers the document without a credential, cacheable', async () => {
    const res = await invoke(handler, { method: 'GET', path: '/openapi.json' });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' });
    expect(res.body).toEqual(JSON.parse(JSON.stringify(document)));
  });

  test('takes GET only', async () => {
    const res = await invoke(handler, { method: 'POST', path: '/openapi.json' });
    expect(res.status).toBe(405);
    expect(res.body).toMatchObject({ error: { type: 'method_not_allowed' }, ok: false });
  });
});

describe("answers checked against Latchkey's document (as every e2e server does)", () => {
  test('a served answer is recorded and matches; a broken one is named', async () => {
    const { deps } = memoryApp();
    const { apiKey } = await sandboxWorkspace(deps);
    const server = await startHttpServer(deps);
    const answers = recordAnswers(server.server);
    try {
      const res = await fetch(`${server.url}/devices/list`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await res.json()) as { devices: Record<string, unknown>[] };
      expect(answers.mismatches()).toEqual({ checked: 1, errors: [] });
      const [device] = body.devices;
      expect(latchkeyAnswerErrors('GET', '/devices/get', { device: { ...device, display_name: 7 }, ok: true })).toEqual([expect.stringContaining('/device/display_name must be string')]);
      expect(latchkeyAnswerErrors('POST', '/devices/get', { device, ok: true, extra: 1 })).toEqual([expect.stringContaining('must NOT have additional properties')]);
      expect(latchkeyAnswerErrors('POST', '/nowhere', {})).toEqual(['POST /nowhere: no published 200 answer']);
    } finally {
      await server.stop();
    }
  });
});

describe("Latchkey's additions", () => {
  type Schema = { properties?: Record<string, { description?: string }>; oneOf?: Schema[]; description?: string };
  const propertiesOf = (schema: Schema | undefined): Record<string, { description?: string }> => (schema?.oneOf ? Object.assign({}, ...schema.oneOf.map(propertiesOf)) : (schema?.properties ?? {}));
  const ours = document as unknown as {
    paths: Record<string, Record<string, { description?: string; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
    components: { schemas: Record<string, Schema> };
  };
  const seam = seamOpenapi as unknown as typeof ours;
  const marked = (text: string | undefined) => text?.startsWith("Latchkey's addition") === true;

  test("every route, resource and field that Seam's published document lacks is marked as Latchkey's addition", () => {
    const unmarked: string[] = [];
    for (const [name, schema] of Object.entries(ours.components.schemas)) {
      const theirs = seam.components.schemas[name];
      if (!theirs) {
        if (!marked(schema.description) && name !== 'pagination') unmarked.push(`resource ${name}`);
        continue;
      }
      const known = propertiesOf(theirs);
      for (const [key, property] of Object.entries(propertiesOf(schema))) if (!(key in known) && !marked(property.description)) unmarked.push(`${name}.${key}`);
    }
    for (const [path, item] of Object.entries(ours.paths)) {
      const theirs = seam.paths[path];
      for (const [method, op] of Object.entries(item)) {
        if (!theirs) {
          if (!marked(op.description)) unmarked.push(`${method} ${path}`);
          continue;
        }
        const known = propertiesOf(theirs.post?.requestBody?.content['application/json']?.schema);
        const body = propertiesOf(op.requestBody?.content['application/json']?.schema);
        for (const [key, property] of Object.entries(body)) if (!(key in known) && !marked(property.description)) unmarked.push(`${path} ${key}`);
      }
    }
    expect(unmarked).toEqual([]);
  });
});
