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
 * in-memory repository, and the reference: a plain function that parses the same body with
 * the same zod schema and serialises the same answer (the get's, taken once), given the same
 * event and Lambda context, alternately, round by round. What the get costs beyond the
 * reference is what a route adds: middy, auth, the store, logging, metrics.
 */
export async function runHandlerOverhead(rounds: number, calls: number): Promise<void> {
  // Loaded in the child only: the parent imports this module to tabulate, and never builds the application.
  const [{ getAccessCodeInputSchema }, { createAccessCode }, { lambdaContext }, { makeHandler }, { memoryApp, sandboxWorkspace }] = await Promise.all([
    import('../../lib/access-codes/schemas'),
    import('../../lib/access-codes/create-access-code'),
    import('../../lib/local/server'),
    import('../../functions/access-codes-get'),
    import('../support/memory-app'),
  ]);
  const { deps } = memoryApp();
  const workspace = await sandboxWorkspace(deps);
  const { access_code } = await createAccessCode(deps, workspace.principal, { device_id: workspace.byType('kwikset_lock').device_id, code: '4711' });

  const get: Handler = makeHandler(deps);
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
  if (answer.statusCode !== 200 || answer.body === undefined) throw new Error(`get answered ${answer.statusCode}: ${answer.body}`);
  const sameAnswer: unknown = JSON.parse(answer.body);
  const floor: Handler = async (e) => {
    const input = getAccessCodeInputSchema.parse(JSON.parse(e.body ?? '{}'));
    if (input.access_code_id === undefined) throw new Error('no access_code_id');
    return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(sameAnswer) };
  };

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
      'stores (API key cached). Reference: a plain async function that parses the same body with getAccessCodeInputSchema',
      "(zod) and JSON.stringify's the same answer (get's, taken once): what no route can skip.",
    ],
    columns: [
      { key: 'handler', label: 'handler' },
      { key: 'micros', label: 'µs per call', format: as.oneDecimal },
      { key: 'vs_floor', label: 'vs reference', format: as.ratio },
    ],
    rows: [
      { handler: 'access_codes/get (memory store)', micros: r.getMicros, vs_floor: overhead },
      { handler: 'reference: zod parse + JSON.stringify of the same answer', micros: r.floorMicros, vs_floor: 1 },
    ],
    checks: [{ name: 'get handler vs zod reference', value: times(overhead), target: '<= 1.3×', ok: overhead <= 1.3 }],
  };
}
