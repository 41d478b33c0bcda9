import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';

/** Seam's `pagination` object of list answers. */
export const paginationSchema = z.object({
  has_next_page: z.boolean(),
  next_page_cursor: z.string().nullable(),
  next_page_url: z.string().nullable(),
});
export type Pagination = z.infer<typeof paginationSchema>;

/** Seam's `pagination` object; next_page_url repeats the request's parameters with the new cursor. */
export function pagination(nextCursor: string | null, input: Record<string, unknown>, event: APIGatewayProxyEventV2): Pagination {
  if (nextCursor === null) return { has_next_page: false, next_page_cursor: null, next_page_url: null };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    if (key === 'page_cursor' || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  params.set('page_cursor', nextCursor);
  const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
  const host = event.requestContext?.domainName ?? event.headers?.host ?? 'localhost';
  return { has_next_page: true, next_page_cursor: nextCursor, next_page_url: `${proto}://${host}${event.rawPath}?${params}` };
}
