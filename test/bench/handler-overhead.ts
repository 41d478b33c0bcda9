import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { type Section, as, ratio, times } from './report';
import { childEnv, emit, median, runChild } from './support';

export const handlerOverheadSchema = z.object({
  rounds: z.number(),
  callsPerRound: z.number(),
  getMicros: z.number(),
  floorMicros: z.number(),
});
export type HandlerOverhead = z.infer<typeof handlerOverheadSchema>;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

async function perCallMicros(handler: Handler, event: APIGatewayProxyEventV2, context: Context, calls: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await handler(event, context);
  return Number(process.hrtime.bigint() - started) / 1000 / calls;
}

/**
 * Child side (LATCHKEY_STORE=memory): the warm get handler invoked in-process on the
 * in-memory repository, and a bare middy handler that returns a constant, given the same
 * event and Lambda context, alternately, round by round.
 */
export async function runHandlerOverhead(rounds: number, calls: number): Promise<void> {
  // Loaded in the child only: the parent imports this module to tabulate, and never builds the application.
  const [{ default: middy }, { createAccessCode }, { lambdaContext }, { makeHandler }, { memoryApp, sandboxWorkspace }] = await Promise.all([
    import('@middy/core'),
    import('../../lib/access-codes/create-access-code'),
    import('../../lib/local/server'),
    import('../../functions/access-codes-get'),
    import('../support/memory-app'),
  ]);
  const { deps } = memoryApp();
  const workspace = await sandboxWorkspace(deps);
  const { access_code } = await createAccessCode(deps, workspace.principal, { device_id: workspace.byType('kwikset_lock').device_id, code: '4711' });

  const get: Handler = makeHandler(deps);
  const floor: Handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{"ok":true}',
  }));
  // The event API Gateway (or the local server) hands the function for POST /access_codes/get.
  const event = {
    version: '2.0',
    routeKey: 'ANY /access_codes/get',
    rawPath: '/access_codes/get',
    rawQueryString: '',
    headers: { authorization: `Bearer ${workspace.apiKey}`, 'content-type': 'application/json' },
    requestContext: { http: { method: 'POST', path: '/access_codes/get' }, domainName: 'localhost' },
    body: JSON.stringify({ access_code_id: access_code.access_code_id }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const context = lambdaContext('bench');

  const answer = await get(event, context);
  if (answer.statusCode !== 200) throw new Error(`get answered ${answer.statusCode}: ${answer.body}`);

  await perCallMicros(get, event, context, calls);
  await perCallMicros(floor, event, context, calls);
  const getRounds: number[] = [];
  const floorRounds: number[] = [];
  for (let r = 0; r < rounds; r++) {
    getRounds.push(await perCallMicros(get, event, context, calls));
    floorRounds.push(await perCallMicros(floor, event, context, calls));
  }
  const result: HandlerOverhead = { rounds, callsPerRound: calls, getMicros: median(getRounds), floorMicros: median(floorRounds) };
  emit(result);
}

/** Measure 2 (parent side). */
export async function measureHandlerOverhead(rounds: number, calls: number): Promise<Section> {
  const r = await runChild('child.ts', ['handler-overhead', String(rounds), String(calls)], handlerOverheadSchema, childEnv({ LATCHKEY_STORE: 'memory' }));
  const overhead = ratio(r.getMicros, r.floorMicros);
  return {
    id: 'handler-overhead',
    title: '2. Warm handler overhead, in-process',
    notes: [
      `Median per-call time over ${r.rounds} alternating rounds of ${r.callsPerRound.toLocaleString('en-US')} sequential calls each, after one warm-up round;`,
      'same API Gateway v2 event and Lambda context for both. get: functions/access-codes-get makeHandler on the in-memory',
      'stores (API key cached). Floor: middy().handler(async () => constant).',
    ],
    columns: [
      { key: 'handler', label: 'handler' },
      { key: 'micros', label: 'µs per call', format: as.oneDecimal },
      { key: 'vs_floor', label: 'vs floor', format: as.ratio },
    ],
    rows: [
      { handler: 'access_codes/get (memory store)', micros: r.getMicros, vs_floor: overhead },
      { handler: 'floor: bare middy handler', micros: r.floorMicros, vs_floor: 1 },
    ],
    checks: [{ name: 'get handler vs bare middy', value: times(overhead), target: '<= 1.5×', ok: overhead <= 1.5 }],
  };
}
