import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { RouteNotFoundError } from '../lib/errors';
import { seamHttp } from '../lib/http/seam-route';
import { observed } from '../lib/observability';

/** API Gateway's `$default` route: every path Latchkey does not serve. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use([...observed(), seamHttp()])
  .handler(async () => {
    throw new RouteNotFoundError();
  });
