import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { MemoryOutbox } from '../../lib/adapters/memory-outbox';
import { InProcessDeliveryQueue } from '../../lib/adapters/in-process-delivery-queue';
import { memoryKeypadStore } from '../../lib/providers/sandbox';
import { ProviderError } from '../../lib/devices/lock-provider';
import type { SeamUpstreamFactory } from '../../lib/providers/seam';
import type { HubShadows, ZwaveKeypad } from '../../lib/providers/zwave';
import { envSchema } from '../../lib/config';
import type { AppDeps } from '../../lib/deps';
import { buildDeps } from '../../lib/wiring/whole-app';
import type { SeamEvent } from '../../lib/events/schemas';
import type { Clock, WebhookTransport } from '../../lib/ports';
import { workspacePrincipal } from '../../lib/principals/principal';
import { createWorkspace } from '../../lib/workspaces/workspaces';

/** A clock that tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-11-23T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

/**
 * A clock that runs in real time and that tests also move by hand: for work that must see time
 * pass (an edge agent, pacing across rounds, a poller's deadline).
 */
export class RunningClock extends ManualClock {
  private offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  override advance(ms: number): void {
    this.offsetMs += ms;
  }
  override set(iso: string): void {
    this.offsetMs = Date.parse(iso) - Date.now();
  }
}

/** A Seam upstream that is never there, for apps whose tests do not connect Seam accounts. */
const unreachableUpstream: SeamUpstreamFactory = () => {
  throw new ProviderError('provider_unavailable', 'No Seam upstream in this test');
};

/** The application on in-memory stores, with a manual clock, and its outbox relayed to a recording publisher: built through the one composition root. */
export function memoryApp(
  options: {
    latencyMs?: number;
    random?: () => number;
    seamUpstream?: SeamUpstreamFactory;
    zwaveShadows?: HubShadows;
    zwaveKeypad?: ZwaveKeypad;
    clock?: ManualClock;
    webhookTransport?: WebhookTransport;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const keypads = memoryKeypadStore();
  const published: SeamEvent[] = [];
  const outbox = new MemoryOutbox();
  const deliveries = new InProcessDeliveryQueue(clock);
  const config = envSchema.parse({ LATCHKEY_STORE: 'memory', ...(options.latencyMs !== undefined && { LATCHKEY_SANDBOX_LATENCY_MS: options.latencyMs }) });
  const deps = buildDeps(
    config,
    {
      clock,
      publisher: {
        async publish(events: readonly SeamEvent[]) {
          published.push(...events);
        },
      },
      deliveries,
      webhookTransport: options.webhookTransport ?? { post: async () => ({ status: 200 }) },
    },
    {
      outbox,
      keypads,
      seamUpstream: options.seamUpstream ?? unreachableUpstream,
      random: options.random ?? (() => 1),
      ...(options.zwaveShadows && { zwaveShadows: options.zwaveShadows }),
      ...(options.zwaveKeypad && { zwaveKeypad: options.zwaveKeypad }),
    },
  );
  return { deps, clock, published, keypads, outbox, deliveries };
}

/** A sandbox workspace with its locks, and its API key. */
export async function sandboxWorkspace(deps: AppDeps, name = 'Test') {
  const { workspace, api_key } = await createWorkspace(deps, { name, sandbox: true });
  const devices = await deps.devices.list(workspace.workspace_id, { limit: 100 });
  const byType = (type: string) => {
    const d = devices.find((r) => r.device.device_type === type);
    if (!d) throw new Error(`no ${type}`);
    return d.device;
  };
  return { workspaceId: workspace.workspace_id, principal: workspacePrincipal(workspace.workspace_id), apiKey: api_key, devices, byType };
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Invokes a handler with an API Gateway v2 event, as API Gateway or the local server would. */
export async function invoke(handler: Handler, options: { method?: string; path?: string; body?: unknown; rawBody?: string; query?: string; apiKey?: string; headers?: Record<string, string> }) {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path ?? '/',
    rawQueryString: options.query ?? '',
    headers: {
      ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    },
    requestContext: { http: { method: options.method ?? 'POST', path: options.path ?? '/' }, domainName: 'localhost' },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const result = await handler(event, {} as Context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body ?? '{}') };
}
