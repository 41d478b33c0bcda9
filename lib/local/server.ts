import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PayloadTooLargeError } from '../errors';
import { errorResponse } from '../http/responses';
import { notFoundFunction, routes } from '../http/routes';

export type HttpFunction = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Loads the real handler exports of functions/: the same code API Gateway invokes. */
export async function loadHandlers(): Promise<{ byPath: Map<string, HttpFunction>; notFound: HttpFunction }> {
  const load = async (fn: string): Promise<HttpFunction> => (await import(`../../functions/${fn}`)).handler;
  const byPath = new Map<string, HttpFunction>();
  for (const route of routes) byPath.set(route.path, await load(route.fn));
  return { byPath, notFound: await load(notFoundFunction) };
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An API Gateway HTTP API (payload v2) event for one local request. */
export function toApiGatewayEvent(req: IncomingMessage, body: Buffer, routeKey: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-proto'] ??= 'http';
  const now = new Date();
  const rawQueryString = url.search.replace(/^\?/, '');
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString,
    headers,
    ...(rawQueryString && { queryStringParameters: Object.fromEntries(url.searchParams) }),
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
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: body.toString('utf8') }),
    isBase64Encoded: false,
  };
}

/** A Lambda context for invoking a handler in this process. */
export const lambdaContext = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

/**
 * Serves the handlers over HTTP as API Gateway would: `ANY <path>` per route, `$default`
 * for the rest, the same 10 MB request limit. Nothing here interprets the request.
 */
export function createLocalServer(handlers: { byPath: Map<string, HttpFunction>; notFound: HttpFunction }): Server {
  const maxRequestBytes = 10 * 1024 * 1024;
  return createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const routed = handlers.byPath.get(path);
    let result: APIGatewayProxyStructuredResultV2;
    try {
      const body = await readBody(req, maxRequestBytes);
      if (body === 'too_large') {
        result = errorResponse(new PayloadTooLargeError(maxRequestBytes), randomUUID());
      } else {
        const event = toApiGatewayEvent(req, body, routed ? `ANY ${path}` : '$default');
        result = await (routed ?? handlers.notFound)(event, lambdaContext(path));
      }
    } catch (error) {
      result = errorResponse(error, randomUUID());
    }
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    res.end(result.body ?? '');
  });
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
