import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MethodNotAllowedError } from '../lib/errors';
import { openApiDocument } from '../lib/http/openapi';
import { errorResponse } from '../lib/http/responses';
import { routeFor } from '../lib/http/routes';
import { observed } from '../lib/observability';

const methods = routeFor('/openapi.json').methods;

/** `GET /openapi.json`: Latchkey's OpenAPI document, built once per cold start; no credential needed. */
export const makeHandler = (_deps?: unknown) => {
  const body = JSON.stringify(openApiDocument());
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(observed())
    .handler(async (event) => {
      const requestId = randomUUID();
      if (!(methods as readonly string[]).includes(event.requestContext?.http?.method ?? 'GET')) return errorResponse(new MethodNotAllowedError(methods), requestId);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300', 'seam-request-id': requestId },
        body,
      };
    });
};

export const handler = makeHandler();
