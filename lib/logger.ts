import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. Log ids, routes, statuses and error types only: never a request body,
 * a PIN or an API key.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'latchkey',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
