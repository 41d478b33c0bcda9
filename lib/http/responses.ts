import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from '../errors';

export function jsonResponse(statusCode: number, body: object, requestId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'seam-request-id': requestId },
    body: JSON.stringify(body),
  };
}

/** Seam's error body. Unexpected faults become a generic 500 that names only the request id. */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof AppError) {
    return jsonResponse(error.statusCode, { error: { type: error.type, message: error.message, ...error.extra, request_id: requestId }, ok: false }, requestId);
  }
  return jsonResponse(500, { error: { type: 'internal_server_error', message: `An unexpected error occurred (request ${requestId})`, request_id: requestId }, ok: false }, requestId);
}
