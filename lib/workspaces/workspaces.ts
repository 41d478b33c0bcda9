import { createHash, randomBytes } from 'node:crypto';
import { buildSandboxDevices, sandboxAccount } from '../providers/sandbox';
import { UnauthorizedError } from '../errors';
import type { Deps } from '../ports';
import type { RequestHeaders } from '../principals/principal';
import { type Principal, workspacePrincipal } from '../principals/principal';
import { apiKeySchema, type ApiKeyRecord, type Workspace } from './schemas';

export const hashApiKey = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex');

const base62 = (bytes: Buffer) => {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return [...bytes].map((b) => alphabet[b % 62]).join('');
};

/**
 * A new API key in Seam's format: `seam_` then an 8-character id and a 24-character secret.
 * An id that happens to begin like another credential kind (`seam_at…`) is drawn again.
 */
export function newApiKey(): string {
  for (;;) {
    const key = `seam_${base62(randomBytes(8))}_${base62(randomBytes(24))}`;
    if (apiKeySchema.safeParse(key).success) return key;
  }
}

type WorkspaceDeps = Pick<Deps, 'workspaces' | 'devices' | 'connectedAccounts' | 'clock' | 'ids'>;

/** Stores a key for a workspace (only its hash); returns the key and its id. */
export async function createApiKey(deps: WorkspaceDeps, workspaceId: string, apiKey = newApiKey()) {
  const key = apiKeySchema.parse(apiKey);
  const record: ApiKeyRecord = {
    api_key_id: deps.ids.uuid(),
    workspace_id: workspaceId,
    key_hash: hashApiKey(key),
    key_prefix: key.slice(0, 13),
    created_at: deps.clock.now().toISOString(),
  };
  await deps.workspaces.putApiKey(record);
  return { api_key_id: record.api_key_id, api_key: key };
}

/** Creates a workspace with one API key; a sandbox workspace also gets the sandbox locks. */
export async function createWorkspace(
  deps: WorkspaceDeps,
  options: { name: string; sandbox: boolean; apiKey?: string; sandboxFailureRate?: number },
): Promise<{ workspace: Workspace; api_key: string; api_key_id: string }> {
  const now = deps.clock.now();
  const workspace: Workspace = { workspace_id: deps.ids.uuid(), name: options.name, is_sandbox: options.sandbox, created_at: now.toISOString() };
  await deps.workspaces.create(workspace);
  if (options.sandbox) {
    const devices = buildSandboxDevices(workspace.workspace_id, () => deps.ids.uuid(), now, options.sandboxFailureRate);
    const accountId = devices[0]?.device.connected_account_id;
    if (accountId !== undefined) await deps.connectedAccounts.put(sandboxAccount(workspace.workspace_id, accountId, now));
    for (const device of devices) await deps.devices.put(device);
  }
  const key = await createApiKey(deps, workspace.workspace_id, options.apiKey);
  return { workspace, ...key };
}

/**
 * Resolves `Authorization: Bearer seam_...` to its workspace's principal. Verified keys are cached for
 * `ttlSeconds` in the warm process, so most requests cost no key lookup; a revoked key stops
 * working within that time.
 */
export function apiKeyAuthenticator(deps: Pick<Deps, 'workspaces' | 'clock'>, ttlSeconds: number) {
  const cache = new Map<string, { workspaceId: string; expiresAt: number }>();
  return async (headers: RequestHeaders): Promise<Principal> => {
    const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    if (token === undefined) throw new UnauthorizedError('Missing or malformed Authorization header: expected "Bearer seam_..."');
    if (!apiKeySchema.safeParse(token).success) throw new UnauthorizedError('Invalid API key');
    const keyHash = hashApiKey(token);
    const nowMs = deps.clock.now().getTime();
    const hit = cache.get(keyHash);
    if (hit && hit.expiresAt > nowMs) return workspacePrincipal(hit.workspaceId);
    const record = await deps.workspaces.findApiKeyByHash(keyHash);
    if (!record) throw new UnauthorizedError('Invalid API key');
    if (cache.size > 10_000) cache.clear();
    cache.set(keyHash, { workspaceId: record.workspace_id, expiresAt: nowMs + ttlSeconds * 1000 });
    return workspacePrincipal(record.workspace_id);
  };
}
