import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

/*
 * The X-Ray side of observability.ts: the Powertools Tracer, with aws-xray-sdk-core and
 * cls-hooked behind it (~117 KB minified, and ~17% of a warm request wrapped). Loaded only
 * where tracing is on (in Lambda, unless POWERTOOLS_TRACE_ENABLED=false), through a dynamic
 * import in observability.ts, so a process without tracing never evaluates it.
 */

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'latchkey' });

/** The handler traced: a segment per invocation, without the response (it may hold a PIN). */
export const tracedHandler = () => captureLambdaHandler(tracer, { captureResponse: false });
