import * as z from 'zod';

/**
 * Cross-origin access for browsers (Seam's React components on another origin). One policy,
 * applied by API Gateway in AWS (the stack's corsPreflight) and by the local server in
 * `npm start`: the headers Seam's JavaScript client sends, credentials allowed (it sends
 * client session tokens `withCredentials`), so only named origins, never `*`.
 */
export const corsPolicy = {
  allowHeaders: ['authorization', 'content-type', 'client-session-token', 'seam-workspace', 'seam-publishable-key', 'seam-sdk-name', 'seam-sdk-version'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  exposeHeaders: ['seam-request-id'],
  maxAgeSeconds: 600,
} as const;

/** `localhost` allows any http(s) origin on localhost, 127.0.0.1 or [::1], any port (local mode only). */
export const localhostOrigins = 'localhost';

/** One allowed origin: scheme, host and optional port, exactly as a browser sends it in `Origin`. */
export const corsOriginSchema = z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an origin such as https://app.example.com (scheme, host, optional port; no path)');

/** A comma-separated list of origins, from the environment. */
export const corsOriginsEnvSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  )
  .pipe(z.array(z.union([z.literal(localhostOrigins), corsOriginSchema])));

const localhostPattern = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function allowsOrigin(allowed: readonly string[], origin: string | undefined): origin is string {
  if (origin === undefined) return false;
  return allowed.includes(origin) || (allowed.includes(localhostOrigins) && localhostPattern.test(origin));
}

/** Headers on every answer to an allowed origin. */
export const corsResponseHeaders = (origin: string): Record<string, string> => ({
  'access-control-allow-origin': origin,
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': corsPolicy.exposeHeaders.join(','),
  vary: 'origin',
});

/** The answer to an allowed preflight (OPTIONS with Access-Control-Request-Method). */
export const corsPreflightHeaders = (origin: string): Record<string, string> => ({
  ...corsResponseHeaders(origin),
  'access-control-allow-methods': corsPolicy.allowMethods.join(','),
  'access-control-allow-headers': corsPolicy.allowHeaders.join(','),
  'access-control-max-age': String(corsPolicy.maxAgeSeconds),
});
