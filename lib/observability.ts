import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { logger } from './logger';

/*
 * What an operator sees of Latchkey besides its logs: CloudWatch metrics in the embedded
 * metric format (Powertools Metrics), and X-Ray traces of every invocation, its DynamoDB
 * calls and its calls to lock providers (Powertools Tracer). Both do nothing outside Lambda:
 * tracing is off there, and local mode turns metrics off (POWERTOOLS_METRICS_DISABLED).
 */

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'latchkey';

// Outside Lambda (npm start, tests) nothing collects EMF lines: keep them out of the output.
if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** Every metric carries its stage (a dimension), so that stages sharing an account keep their figures apart. */
export const metricsStage = process.env.LATCHKEY_STAGE ?? 'local';
export const metrics = new Metrics({ namespace: 'Latchkey', serviceName, defaultDimensions: { stage: metricsStage } });

/**
 * Whether the Powertools Tracer would trace here (its own rule: in Lambda, not in SAM or the
 * Amplify mock, unless POWERTOOLS_TRACE_ENABLED=false). The stack turns X-Ray on for every
 * function, so in AWS this is true; elsewhere the tracer and the X-Ray SDK are never loaded.
 */
export const tracingOn = (env: NodeJS.ProcessEnv = process.env): boolean => {
  const execution = env.AWS_EXECUTION_ENV ?? '';
  return execution !== '' && execution !== 'AWS_Lambda_amplify-mock' && (env.AWS_SAM_LOCAL ?? '') === '' && (env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false';
};

type Tracing = typeof import('./tracing');
/** The tracer once loaded; undefined while loading and wherever tracing is off. */
let loaded: Tracing | undefined;
/** Loading starts at import (during the cold start's init), so the first invocation rarely waits for it. */
const tracing: Promise<Tracing | undefined> = tracingOn()
  ? import('./tracing').then((module) => {
      loaded = module;
      return module;
    })
  : Promise.resolve(undefined);

/** The tracer, where tracing is on (undefined elsewhere): loaded at init, awaited by the first invocation. */
export const loadTracer = async () => (await tracing)?.tracer;

type Middleware = MiddlewareObj<unknown, unknown>;
/** captureLambdaHandler, made once the tracer has loaded; each step waits for the load (at most the first invocation does). */
function traceHandler<TEvent, TResult>(): MiddlewareObj<TEvent, TResult> {
  let made: Middleware | undefined;
  const middleware = async () => {
    const module = await tracing;
    if (module !== undefined) made ??= module.tracedHandler() as Middleware;
    return made;
  };
  return {
    before: async (request) => {
      await (await middleware())?.before?.(request as never);
    },
    after: async (request) => {
      await (await middleware())?.after?.(request as never);
    },
    onError: async (request) => {
      await (await middleware())?.onError?.(request as never);
    },
  };
}

/**
 * The middlewares of every function, outermost first: the Lambda context (request id, cold
 * start) on every log line, metrics flushed at the end of each invocation, the handler traced.
 */
export function observed<TEvent = unknown, TResult = unknown>(): MiddlewareObj<TEvent, TResult>[] {
  // Where tracing is off (npm start, tests) the handler is not wrapped at all: the wrapper's
  // three awaits a request (before, after, error) would only find no tracer.
  return [injectLambdaContext(logger), flushMetrics, ...(tracingOn() ? [traceHandler<TEvent, TResult>()] : [])];
}

/** Publishes the invocation's metrics, if it recorded any (most requests record none, and need no warning saying so). */
const publishIfAny = () => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};
const flushMetrics: MiddlewareObj = { after: publishIfAny, onError: publishIfAny };

/** An AWS SDK v3 client whose calls show up as subsegments of the invocation's trace. */
export function traceClient<T>(client: T): T {
  // The first invocation awaits the same load before its handler runs, so its calls are traced.
  void tracing.then((module) => module?.tracer.captureAWSv3Client(client));
  return client;
}

/** Runs `work` in a trace subsegment named `name` (a provider call, say); errors are recorded without their message. */
export async function traced<T>(name: string, work: () => Promise<T>): Promise<T> {
  const tracer = loaded?.tracer;
  if (tracer === undefined || !tracer.isTracingEnabled()) return work();
  const parent = tracer.getSegment();
  if (parent === undefined) return work();
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (error) {
    // The class only: a provider's message may name a PIN.
    subsegment.addAnnotation('error', error instanceof Error ? error.name : 'unknown');
    subsegment.addErrorFlag();
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}

/** The engine's outcomes: codes set (and how long setting took), failed and removed. */
export function recordCodeOutcome(outcome: 'set' | 'failed' | 'removed', timeToSetMs?: number): void {
  const names = { set: 'CodesSet', failed: 'CodesFailed', removed: 'CodesRemoved' } as const;
  metrics.addMetric(names[outcome], MetricUnit.Count, 1);
  if (outcome === 'set' && timeToSetMs !== undefined) metrics.addMetric('TimeToSet', MetricUnit.Milliseconds, Math.max(0, timeToSetMs));
}

/**
 * The one instance that emits metrics with dimensions of their own, made on first use: each
 * addMetric on it writes its line at once and clears the dimensions added before it, so a
 * dimension and its metric, added together with nothing awaited between, never mix with another's.
 * (A `singleMetric()` per call built a Metrics instance, its config and console each time: about
 * 33 µs of CPU a metric against 2.5 µs reused with metrics off, 60 µs against 9 µs with them on.)
 */
let single: Metrics | undefined;
const singleMetric = (): Metrics => {
  single ??= metrics.singleMetric();
  return single;
};

/** A lock provider's failure, counted by kind (device_offline, provider_unavailable, ...). */
export function recordProviderError(kind: string): void {
  singleMetric().addDimension('kind', kind).addMetric('ProviderErrors', MetricUnit.Count, 1);
}

/** A provider call the engine made, or held back because the provider's limit for the device was reached. */
export function recordProviderCall(provider: string, outcome: 'made' | 'throttled'): void {
  singleMetric()
    .addDimension('provider', provider)
    .addMetric(outcome === 'made' ? 'ProviderCalls' : 'ThrottledWaits', MetricUnit.Count, 1);
}

/** How long a code's provider call waited past the code's first due time (its turns at the provider's limits), per provider. */
export function recordQueueAge(provider: string, waitedMs: number): void {
  singleMetric().addDimension('provider', provider).addMetric('QueueAge', MetricUnit.Milliseconds, Math.max(0, waitedMs));
}

/** How late the poller took the most overdue code of a sweep. */
export function recordPollerLag(lagMs: number): void {
  metrics.addMetric('PollerLag', MetricUnit.Milliseconds, Math.max(0, lagMs));
}
