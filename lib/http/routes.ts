import type { CallerKind } from '../principals/principal';

/**
 * Every HTTP route Latchkey serves: the single source for the local server, the handlers'
 * verb checks and the API Gateway routes in the CDK stack.
 */
export interface RouteDefinition {
  path: string;
  /** Verbs the route accepts; any other verb answers 405. */
  methods: readonly ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
  /** File in functions/ (without .ts) that serves it. */
  fn: string;
  /** Whether the function writes to the table (read-only functions get read grants only). */
  writes: boolean;
  /**
   * Provider credentials it reads (calling a provider or checking a webhook) or also deletes:
   * such functions get the provider clients installed and Secrets Manager access to the accounts' secrets.
   */
  credentials?: 'read' | 'readWrite';
  /** Who may call it, as Seam's OpenAPI lists per route; `workspaceCallers` when absent. */
  auth?: readonly CallerKind[];
  /** Webhook signing secrets it reads, or also creates and deletes (Secrets Manager in AWS). */
  webhookSecrets?: 'read' | 'readWrite';
  /** Takes engine steps (a lock's report changes what a code needs next), and so schedules follow-ups. */
  followUps?: boolean;
  /** False for a route that answers without the table (the OpenAPI document): it gets no table grants. */
  readsTable?: false;
}

/** Callers that act in one workspace: the default of every device, code, event and attempt route. */
export const workspaceCallers = ['api_key', 'personal_access_token', 'client_session'] as const satisfies readonly CallerKind[];
/** The workspace's owner: an API key, or a personal access token with seam-workspace. */
const ownerCallers = ['api_key', 'personal_access_token'] as const satisfies readonly CallerKind[];

export const routes = [
  { path: '/access_codes/create', methods: ['POST'], fn: 'access-codes-create', writes: true },
  { path: '/access_codes/get', methods: ['GET', 'POST'], fn: 'access-codes-get', writes: false },
  { path: '/access_codes/generate_code', methods: ['GET', 'POST'], fn: 'access-codes-generate-code', writes: false },
  { path: '/access_codes/list', methods: ['GET', 'POST'], fn: 'access-codes-list', writes: false },
  { path: '/access_codes/update', methods: ['POST', 'PUT', 'PATCH'], fn: 'access-codes-update', writes: true },
  { path: '/access_codes/delete', methods: ['POST', 'DELETE'], fn: 'access-codes-delete', writes: true },
  { path: '/access_codes/create_multiple', methods: ['POST', 'PUT'], fn: 'access-codes-create-multiple', writes: true },
  { path: '/access_codes/update_multiple', methods: ['POST', 'PATCH'], fn: 'access-codes-update-multiple', writes: true },
  { path: '/access_codes/pull_backup_access_code', methods: ['POST'], fn: 'access-codes-pull-backup-access-code', writes: true },
  { path: '/access_codes/report_device_constraints', methods: ['POST'], fn: 'access-codes-report-device-constraints', writes: true },
  { path: '/access_codes/get_timeline', methods: ['GET', 'POST'], fn: 'access-codes-get-timeline', writes: false },
  { path: '/access_codes/unmanaged/list', methods: ['GET', 'POST'], fn: 'access-codes-unmanaged-list', writes: false },
  { path: '/access_codes/unmanaged/get', methods: ['GET', 'POST'], fn: 'access-codes-unmanaged-get', writes: false },
  { path: '/access_codes/unmanaged/update', methods: ['POST', 'PATCH'], fn: 'access-codes-unmanaged-update', writes: true },
  { path: '/access_codes/unmanaged/delete', methods: ['POST', 'DELETE'], fn: 'access-codes-unmanaged-delete', writes: true, credentials: 'read' },
  { path: '/access_codes/unmanaged/convert_to_managed', methods: ['POST', 'PATCH'], fn: 'access-codes-unmanaged-convert-to-managed', writes: true },
  /** Reads the sandbox keypad whole (engine discovery), which can bring managed codes back in line and schedule their next steps (follow-ups). */
  { path: '/access_codes/simulate/create_unmanaged_access_code', methods: ['POST'], fn: 'access-codes-simulate-create-unmanaged', writes: true, followUps: true },
  { path: '/access_codes/simulate/external_modification', methods: ['POST'], fn: 'access-codes-simulate-external-modification', writes: true },
  { path: '/action_attempts/get', methods: ['GET', 'POST'], fn: 'action-attempts-get', writes: false },
  { path: '/devices/get', methods: ['GET', 'POST'], fn: 'devices-get', writes: false },
  { path: '/devices/list', methods: ['GET', 'POST'], fn: 'devices-list', writes: false },
  { path: '/devices/simulate/connect', methods: ['POST'], fn: 'devices-simulate-connect', writes: true },
  { path: '/devices/simulate/disconnect', methods: ['POST'], fn: 'devices-simulate-disconnect', writes: true },
  { path: '/locks/get', methods: ['GET', 'POST'], fn: 'locks-get', writes: false },
  { path: '/locks/list', methods: ['GET', 'POST'], fn: 'locks-list', writes: false },
  /** Asks the lock through its provider (credentials), and schedules the check of its report (follow-ups). */
  { path: '/locks/unlock_door', methods: ['POST'], fn: 'locks-unlock-door', writes: true, credentials: 'read', followUps: true },
  { path: '/locks/lock_door', methods: ['POST'], fn: 'locks-lock-door', writes: true, credentials: 'read', followUps: true },
  /** A sandbox keypad entry: the entry that uses up a code starts its removal at once (engine steps, follow-ups). */
  { path: '/locks/simulate/keypad_code_entry', methods: ['POST'], fn: 'locks-simulate-keypad-code-entry', writes: true, followUps: true },
  { path: '/events/get', methods: ['GET', 'POST'], fn: 'events-get', writes: false },
  { path: '/events/list', methods: ['GET', 'POST'], fn: 'events-list', writes: false },
  { path: '/connected_accounts/get', methods: ['GET', 'POST'], fn: 'connected-accounts-get', writes: false },
  { path: '/connected_accounts/list', methods: ['GET', 'POST'], fn: 'connected-accounts-list', writes: false },
  { path: '/connected_accounts/update', methods: ['POST', 'PUT', 'PATCH'], fn: 'connected-accounts-update', writes: true },
  { path: '/connected_accounts/delete', methods: ['POST', 'DELETE'], fn: 'connected-accounts-delete', writes: true, credentials: 'readWrite' },
  { path: '/connected_accounts/sync', methods: ['POST'], fn: 'connected-accounts-sync', writes: true, credentials: 'read' },
  /** Seam's webhooks for one connected account: no credential (auth: []), a Svix signature instead. */
  { path: '/webhooks/seam/{connected_account_id}', methods: ['POST'], fn: 'webhooks-seam', writes: true, credentials: 'read', followUps: true, auth: [] },
  { path: '/client_sessions/create', methods: ['POST', 'PUT'], fn: 'client-sessions-create', writes: true, auth: [...ownerCallers, 'publishable_key'] },
  { path: '/client_sessions/get', methods: ['GET', 'POST'], fn: 'client-sessions-get', writes: true, auth: workspaceCallers },
  { path: '/client_sessions/get_or_create', methods: ['POST', 'PUT'], fn: 'client-sessions-get-or-create', writes: true, auth: [...ownerCallers, 'publishable_key'] },
  { path: '/client_sessions/grant_access', methods: ['POST', 'PATCH'], fn: 'client-sessions-grant-access', writes: true, auth: ownerCallers },
  { path: '/client_sessions/list', methods: ['GET', 'POST'], fn: 'client-sessions-list', writes: false, auth: ownerCallers },
  { path: '/client_sessions/revoke', methods: ['POST'], fn: 'client-sessions-revoke', writes: true, auth: ownerCallers },
  { path: '/client_sessions/delete', methods: ['POST', 'DELETE'], fn: 'client-sessions-delete', writes: true, auth: ownerCallers },
  { path: '/webhooks/create', methods: ['POST'], fn: 'webhooks-create', writes: true, auth: ownerCallers, webhookSecrets: 'readWrite' },
  { path: '/webhooks/get', methods: ['GET', 'POST'], fn: 'webhooks-get', writes: false, auth: ownerCallers, webhookSecrets: 'read' },
  { path: '/webhooks/list', methods: ['GET', 'POST'], fn: 'webhooks-list', writes: false, auth: ownerCallers },
  { path: '/webhooks/update', methods: ['POST', 'PUT', 'PATCH'], fn: 'webhooks-update', writes: true, auth: ownerCallers },
  { path: '/webhooks/delete', methods: ['POST', 'DELETE'], fn: 'webhooks-delete', writes: true, auth: ownerCallers, webhookSecrets: 'readWrite' },
  { path: '/workspaces/get', methods: ['GET', 'POST'], fn: 'workspaces-get', writes: false, auth: [...workspaceCallers, 'personal_access_token_without_workspace'] },
  { path: '/workspaces/list', methods: ['GET', 'POST'], fn: 'workspaces-list', writes: false, auth: [...workspaceCallers, 'personal_access_token_without_workspace'] },
  /** Latchkey's own OpenAPI document (lib/http/openapi.ts), built once per cold start from the schemas of every route here; no credential, as Seam serves its own. */
  { path: '/openapi.json', methods: ['GET'], fn: 'openapi', writes: false, readsTable: false, auth: [] },
] as const satisfies readonly RouteDefinition[];

export type RoutePath = (typeof routes)[number]['path'];

/** Serves every path no route matches, with a Seam-shaped 404. */
export const notFoundFunction = 'not-found';

/** Each route's path as a pattern with its `{name}` segments, compiled once for matchRoute. */
const routePatterns = routes.map((route: RouteDefinition) => {
  const names: string[] = [];
  const pattern = route.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, pattern: new RegExp(`^${pattern}$`) };
});

/**
 * The route serving a request path, and the values of its `{name}` segments: what API
 * Gateway's route matching does, for the local server.
 */
export function matchRoute(path: string): { route: RouteDefinition; pathParameters: Record<string, string> } | undefined {
  for (const { route, names, pattern } of routePatterns) {
    const match = pattern.exec(path);
    if (match) return { route, pathParameters: Object.fromEntries(names.map((n, i) => [n, decodeSegment(match[i + 1] ?? '')])) };
  }
  return undefined;
}

/** A percent-encoded path segment, left as sent when its encoding is broken. */
const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** Who may call the route. */
export const callersOf = (route: RouteDefinition): readonly CallerKind[] => route.auth ?? workspaceCallers;

export function routeFor(path: RoutePath): RouteDefinition {
  const route = routes.find((r) => r.path === path);
  if (!route) throw new Error(`No route ${path}`);
  return route;
}
