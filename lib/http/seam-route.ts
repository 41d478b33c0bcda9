import { randomUUID } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { AppError, MethodNotAllowedError, PayloadTooLargeError, UnauthorizedError } from '../errors';
import { describeFault, logger } from '../logger';
import { observed } from '../observability';
import { type Caller, type Principal, type RequestHeaders, isPrincipal } from '../principals/principal';

export type { RequestHeaders };
import type { Clock, IdempotencyKeyRepository } from '../ports';
import { ReplayedAnswer, readIdempotencyKey, underIdempotencyKey } from './idempotency-key';
import { rawInput, validate } from './request';
import { errorResponse, jsonResponse } from './responses';
import type { routeContracts } from './route-contract';
import { callersOf, type RouteDefinition, routeFor, type RoutePath } from './routes';

/** What a route answers (before `ok` is added), as its contract publishes it: a handler answering anything else does not compile. */
type AnswerOf<P extends RoutePath> = z.input<(typeof routeContracts)[P]['answer']>;

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** What every route handler is given besides its parsed input. */
export interface RouteContext {
  /** Who is calling: every read and write of the route is scoped to it. */
  principal: Principal;
  event: Event;
}

/** What the HTTP layer needs from the application. */
export interface HttpDeps {
  /** Who the request's credentials name; throws UnauthorizedError. */
  authenticate(headers: RequestHeaders): Promise<Caller>;
  maxBodyBytes: number;
  idempotencyKeys: IdempotencyKeyRepository;
  clock: Clock;
}

/** What seamHttp keeps of one request from `before` to `after`: the id it answers with, and when it began. */
interface Started {
  requestId: string;
  at: number;
}

/**
 * The one middleware of every HTTP function: a request id on every response, Seam-shaped
 * errors (only AppErrors show their message), and one log line per request. Its per-request
 * state rides on middy's own per-request `internal` object (a WeakMap keyed by the event held
 * every request in an ephemeron table that each young-generation GC walked).
 */
export function seamHttp(methods?: readonly string[]): MiddlewareObj<Event, Result, Error, Context, { seamHttp?: Started }> {
  const log = (event: Event, started: Started | undefined, status: number, error?: unknown) => {
    const fields = {
      request_id: started?.requestId,
      method: event.requestContext?.http?.method,
      path: event.rawPath,
      status,
      duration_ms: started ? Date.now() - started.at : undefined,
    };
    if (status >= 500) logger.error('request failed', { ...fields, error: describeFault(error) });
    else logger.info('request', { ...fields, ...(error instanceof AppError && { error_type: error.type }) });
  };
  return {
    before: (request) => {
      request.internal.seamHttp = { requestId: randomUUID(), at: Date.now() };
      const method = request.event.requestContext?.http?.method ?? 'GET';
      if (methods && !methods.includes(method)) throw new MethodNotAllowedError(methods);
    },
    after: (request) => {
      const started = request.internal.seamHttp;
      const requestId = started?.requestId ?? randomUUID();
      const result: unknown = request.response;
      request.response = result instanceof ReplayedAnswer ? replayed(result, requestId) : jsonResponse(200, { ...(request.response as object), ok: true }, requestId);
      log(request.event, started, request.response.statusCode ?? 200);
    },
    onError: (request) => {
      const started = request.internal.seamHttp;
      request.response = errorResponse(request.error, started?.requestId ?? randomUUID());
      log(request.event, started, request.response.statusCode ?? 500, request.error);
    },
  };
}

/** A kept answer sent again: its status and body (an error's request id is this request's), marked as a replay. */
function replayed({ answer }: ReplayedAnswer, requestId: string): Result {
  const { error } = answer.body;
  const body = typeof error === 'object' && error !== null ? { ...answer.body, error: { ...error, request_id: requestId } } : answer.body;
  const response = jsonResponse(answer.status, body, requestId);
  return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } };
}

/**
 * A route's work on its parameters. On a route that writes, a request with an Idempotency-Key
 * runs under it (lib/http/idempotency-key.ts): every write route gets this from the routes table's `writes`.
 */
async function runRoute(route: RouteDefinition, deps: HttpDeps, workspaceId: string, event: Event, schema: z.ZodObject, work: (input: Record<string, unknown>) => Promise<object>): Promise<object> {
  const key = readIdempotencyKey(event.headers ?? {});
  const raw = rawInput(schema, event, deps.maxBodyBytes);
  if (key === undefined || !route.writes) return work(raw);
  return underIdempotencyKey(deps, { workspaceId, key, path: route.path, input: raw }, () => work(raw));
}

const describe: Record<Caller['kind'], string> = {
  api_key: 'an API key',
  personal_access_token: 'a personal access token',
  personal_access_token_without_workspace: 'a personal access token without a seam-workspace header',
  client_session: 'a client session token',
  publishable_key: 'a publishable key',
};

/** The caller, if the route accepts its kind of credential; 401 naming the credential otherwise. */
async function admit(route: RouteDefinition, deps: HttpDeps, event: Event): Promise<Caller> {
  const caller = await deps.authenticate(event.headers ?? {});
  if (!callersOf(route).includes(caller.kind)) throw new UnauthorizedError(`${route.path} cannot be called with ${describe[caller.kind]}`);
  return caller;
}

/** The schema each route's handler parses its input with, as built: a test holds it to the route's contract (the OpenAPI document's source). */
export const inputSchemas = new Map<RoutePath, z.ZodObject>();

/**
 * An authenticated Seam route acting in one workspace: verb check, credentials (a principal
 * the route accepts), parameters validated by `schema`, then `run`, whose result is the
 * response body (`ok: true` is added).
 */
export function seamRoute<P extends RoutePath, S extends z.ZodObject>(path: P, schema: S, deps: HttpDeps, run: (input: z.infer<S>, ctx: RouteContext) => Promise<AnswerOf<P>>) {
  inputSchemas.set(path, schema);
  const route = routeFor(path);
  return middy<Event, Result>()
    .use([...observed(), seamHttp(route.methods)])
    .handler(async (event: Event) => {
      const caller = await admit(route, deps, event);
      if (!isPrincipal(caller)) throw new UnauthorizedError(`${path} cannot be called with ${describe[caller.kind]}`);
      return (await runRoute(route, deps, caller.workspace_id, event, schema, (raw) => run(validate(schema, raw), { principal: caller, event }))) as Result;
    });
}

/** A route that also serves callers without a principal (publishable keys, tokens without a workspace): `run` gets the caller. */
export function seamCallerRoute<P extends RoutePath, S extends z.ZodObject>(
  path: P,
  schema: S,
  deps: HttpDeps,
  run: (input: z.infer<S>, ctx: { caller: Caller; event: Event }) => Promise<AnswerOf<P>>,
) {
  inputSchemas.set(path, schema);
  const route = routeFor(path);
  return middy<Event, Result>()
    .use([...observed(), seamHttp(route.methods)])
    .handler(async (event: Event) => {
      const caller = await admit(route, deps, event);
      const work = (raw: Record<string, unknown>) => run(validate(schema, raw), { caller, event });
      if (caller.kind === 'personal_access_token_without_workspace') return (await work(rawInput(schema, event, deps.maxBodyBytes))) as Result;
      return (await runRoute(route, deps, caller.workspace_id, event, schema, work)) as Result;
    });
}

/** What an unauthenticated route (an incoming webhook) is given: the raw request. */
export interface RawRequest {
  /** The body exactly as sent, for signature checks. */
  rawBody: string;
  headers: RequestHeaders;
  pathParameters: Readonly<Record<string, string | undefined>>;
}

/**
 * A route that takes no Seam credentials because the request proves itself (a signed webhook):
 * verb check, body size, then `run` with the raw request. Errors are Seam-shaped like any other.
 */
export function rawRoute(path: RoutePath, deps: Pick<HttpDeps, 'maxBodyBytes'>, run: (request: RawRequest) => Promise<object>) {
  return middy<Event, Result>()
    .use([...observed(), seamHttp(routeFor(path).methods)])
    .handler(async (event: Event) => {
      const rawBody = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      if (Buffer.byteLength(rawBody) > deps.maxBodyBytes) throw new PayloadTooLargeError(deps.maxBodyBytes);
      return (await run({ rawBody, headers: event.headers ?? {}, pathParameters: event.pathParameters ?? {} })) as Result;
    });
}
