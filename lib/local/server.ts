import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AppDeps } from '../deps';
import { AppError, PayloadTooLargeError } from '../errors';
import { errorResponse } from '../http/responses';
import { allowsOrigin, corsPreflightHeaders, corsResponseHeaders } from '../http/cors';
import { matchRoute, notFoundFunction, routes } from '../http/routes';

export type HttpFunction = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The real handlers of functions/, the same code API Gateway invokes, built on `deps` through each one's factory. */
export async function loadHandlers(deps: AppDeps): Promise<{ byPath: Map<string, HttpFunction>; notFound: HttpFunction }> {
  const byPath = new Map<string, HttpFunction>();
  for (const route of routes) {
    const module: { makeHandler: (deps: AppDeps) => HttpFunction } = await import(`../../functions/${route.fn}`);
    byPath.set(route.path, module.makeHandler(deps));
  }
  // The not-found handler needs no application.
  const notFound: { handler: HttpFunction } = await import(`../../functions/${notFoundFunction}`);
  return { byPath, notFound: notFound.handler };
}

/** Bytes of an oversized body read and dropped so the connection can carry the next request; beyond that it is closed. */
const drainLimitBytes = 64 * 1024 * 1024;

type Body = { ok: true; bytes: Buffer } | { ok: false; drained: boolean };

/**
 * Reads the request body up to `maxBytes`. A longer body is read to its end and dropped (up
 * to drainLimitBytes), so the answer can be sent and the connection reused; `drained: false`
 * means the rest is still coming and the connection must be closed.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (body: Body) => {
      req.off('data', onData).off('end', onEnd).off('error', reject);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > maxBytes + drainLimitBytes) {
        req.pause();
        finish({ ok: false, drained: false });
      }
    };
    const onEnd = () => finish(size <= maxBytes ? { ok: true, bytes: Buffer.concat(chunks) } : { ok: false, drained: true });
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

/** An API Gateway HTTP API (payload v2) event for one local request. */
export function toApiGatewayEvent(req: IncomingMessage, body: Buffer, routeKey: string, url = new URL(req.url ?? '/', 'http://localhost')): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const incoming = req.headers;
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-proto'] ??= 'http';
  const now = Date.now();
  const rawQueryString = url.search.slice(1);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
  if (rawQueryString !== '') event.queryStringParameters = Object.fromEntries(url.searchParams);
  if (body.length > 0) event.body = body.toString('utf8');
  return event;
}

const noop = () => {};
const remainingMs = () => 30_000;

/** A Lambda context for invoking a handler in this process: a new request id each time, the rest shared. */
export const lambdaContext = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: remainingMs,
  done: noop,
  fail: noop,
  succeed: noop,
});

/** Request line plus headers that the server reads (Node's default is 16 KB); API Gateway's own limit is 10 KB. */
const maxHeaderBytes = 64 * 1024;

export interface LocalServerOptions {
  /** Origins browsers may call from (`localhost` for any local port); none by default. */
  corsOrigins?: readonly string[];
  /** Static pages (the console), looked up before the routes; undefined where there is none. */
  pages?: (pathname: string) => Promise<{ contentType: string; body: string | Buffer } | undefined>;
}

/**
 * Serves the handlers over HTTP as API Gateway would: `ANY <path>` per route, `$default`
 * for the rest, the same 10 MB request limit. Nothing here interprets the request. Requests
 * Node refuses before any handler sees them (headers too large, malformed HTTP) still get a
 * Seam-shaped answer with a request id.
 */
export function createLocalServer(handlers: { byPath: Map<string, HttpFunction>; notFound: HttpFunction }, options: LocalServerOptions = {}): Server {
  const maxRequestBytes = 10 * 1024 * 1024;
  const corsOrigins = options.corsOrigins ?? [];
  const server = createServer({ maxHeaderSize: maxHeaderBytes }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    // CORS as API Gateway's corsPreflight does it: preflights answered here, never by a handler.
    const origin = allowsOrigin(corsOrigins, req.headers.origin) ? req.headers.origin : undefined;
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.writeHead(204, origin ? corsPreflightHeaders(origin) : {});
      res.end();
      return;
    }
    if (options.pages && (req.method === 'GET' || req.method === 'HEAD')) {
      try {
        const page = await options.pages(path);
        if (page) {
          res.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : page.body);
          return;
        }
      } catch (error) {
        const failed = errorResponse(error, randomUUID());
        res.writeHead(failed.statusCode ?? 500, failed.headers as Record<string, string>);
        res.end(failed.body ?? '');
        return;
      }
    }
    const matched = matchRoute(path);
    const routed = matched && handlers.byPath.get(matched.route.path);
    let result: APIGatewayProxyStructuredResultV2;
    let closeAfter = false;
    try {
      const body = await readBody(req, maxRequestBytes);
      if (!body.ok) {
        result = errorResponse(new PayloadTooLargeError(maxRequestBytes), randomUUID());
        closeAfter = !body.drained;
      } else {
        const event = toApiGatewayEvent(req, body.bytes, matched ? `ANY ${matched.route.path}` : '$default', url);
        if (matched && Object.keys(matched.pathParameters).length > 0) event.pathParameters = matched.pathParameters;
        result = await (routed ?? handlers.notFound)(event, lambdaContext(path));
      }
    } catch (error) {
      result = errorResponse(error, randomUUID());
    }
    const responseBody = result.body ?? '';
    // A length, as API Gateway sends: the answer goes out in one write instead of chunks.
    res.writeHead(result.statusCode ?? 200, {
      ...(result.headers as Record<string, string>),
      ...(origin && corsResponseHeaders(origin)),
      ...(closeAfter && { connection: 'close' }),
      'content-length': Buffer.byteLength(responseBody),
    });
    res.end(responseBody, () => {
      if (closeAfter) req.socket.destroy();
    });
  });
  server.on('clientError', answerClientError);
  // Node's default (5 s) races clients that reuse an idle connection just as the server closes it
  // ("other side closed", seen with the 2.x SDK's fetch on a loaded machine); keep idle connections
  // as long as load balancers in front of APIs do, so the client is the one that lets them go.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

const clientErrors: Record<string, { status: number; type: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    type: 'request_header_fields_too_large',
    message: `The request line and headers exceed ${maxHeaderBytes / 1024} KB`,
  },
};

/** Node's 'clientError': a request it could not parse. Answers Seam's error shape instead of Node's bare status line. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const known = clientErrors[error.code ?? ''] ?? { status: 400, type: 'invalid_request', message: 'Malformed HTTP request' };
  const result = errorResponse(new AppError(known.type, known.status, known.message), randomUUID());
  const body = result.body ?? '';
  const head = [
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? 'Error'}`,
    ...Object.entries(result.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
