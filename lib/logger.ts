import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. Log ids, routes, statuses and error types only: never a request body,
 * a PIN or an API key.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'latchkey',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});

/** Credentials Latchkey issues or holds: API keys and tokens (seam_…), webhook secrets (whsec_…), bearer values. */
export const credentialPattern = /\b(?:seam_[A-Za-z0-9_]+|whsec_[A-Za-z0-9+/=_]+)|(?<=Bearer\s+)\S+/g;
/**
 * A run of 4 to 12 digits standing alone: the shape of a PIN (`PIN#4829`, `code 4829`). Not
 * the digits of ids, timestamps or line numbers, which touch letters, dashes, colons or dots.
 */
export const pinPattern = /(?<![\w.:-])\d{4,12}(?![\w:-])/g;

/** Text with anything shaped like a PIN or a credential replaced, for a message or stack that came from elsewhere. */
export function redactSecrets(text: string): string {
  return text.replace(credentialPattern, '[redacted]').replace(pinPattern, '[redacted]');
}

/**
 * An unexpected fault as the operator needs it: its class, message and stack, with anything
 * shaped like a PIN or a credential taken out. For logs only, never for a client.
 */
export function describeFault(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: redactSecrets(String(error)) };
  return { name: error.name, message: redactSecrets(error.message), ...(error.stack !== undefined && { stack: redactSecrets(error.stack) }) };
}
