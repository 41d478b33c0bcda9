import { AppError, InvalidInputError, NotFoundError, deviceNotFound } from '../errors';
import { answerOnCommit } from '../idempotency/unit-of-work';
import type { Deps } from '../ports';
import { retry, retryPolicies } from '../retry';
import { type ClientSessionPrincipal, type PublishableKeyCaller, type WorkspacePrincipal, grantedDeviceIds } from './principal';
import { type ClientSession, type ClientSessionRecord, type CreateClientSessionInput, type GrantAccessInput, maxTokensPerSession } from './schemas';
import { clientSessionTokenStem, hashSecret, newClientSessionToken } from './tokens';

export type SessionDeps = Pick<Deps, 'clientSessions' | 'devices' | 'clock' | 'ids'>;

/** Who may open a client session: the workspace's owner, or a browser holding its publishable key. */
export type SessionOpener = WorkspacePrincipal | PublishableKeyCaller;

const defaultLifetimeMs = 24 * 3_600_000;
const maxLifetimeMs = 365 * 24 * 3_600_000;

export const clientSessionNotFound = () => new NotFoundError('client_session_not_found', 'Client session not found');

/** The principal a session's token authenticates as. */
export const sessionPrincipal = (r: ClientSessionRecord): ClientSessionPrincipal => ({
  kind: 'client_session',
  workspace_id: r.workspace_id,
  client_session_id: r.client_session_id,
  device_ids: r.device_ids,
  connected_account_ids: r.connected_account_ids,
});

/**
 * The Seam `client_session` object. Tokens are stored hashed, so `token` is one just issued
 * (or presented); without one it shows the token's public part only.
 */
export async function toClientSession(deps: Pick<Deps, 'devices'>, r: ClientSessionRecord, token?: string): Promise<ClientSession> {
  const granted = await grantedDeviceIds(deps, sessionPrincipal(r));
  return {
    client_session_id: r.client_session_id,
    workspace_id: r.workspace_id,
    created_at: r.created_at,
    expires_at: r.expires_at,
    token: token ?? `${clientSessionTokenStem(r.workspace_id, r.client_session_id)}_…`,
    user_identifier_key: r.user_identifier_key,
    ...(r.customer_key !== undefined && { customer_key: r.customer_key }),
    device_count: granted?.size ?? 0,
    device_ids: r.device_ids,
    connected_account_ids: r.connected_account_ids,
    connect_webview_ids: r.connect_webview_ids,
    user_identity_ids: [],
  };
}

/**
 * Writes a session (`write`: its create or update) answering `session`: a token is shown once
 * and never stored, so the answer is said before the write, which commits an Idempotency-Key
 * with it (a retry after a crash gets the same token).
 */
export async function storeAnswering(deps: Pick<Deps, 'devices'>, record: ClientSessionRecord, token: string | undefined, write: () => Promise<void>): Promise<ClientSession> {
  const session = await toClientSession(deps, record, token);
  answerOnCommit({ client_session: session });
  await write();
  return session;
}

/** The same session with one more token, the oldest dropped past the limit. */
function withNewToken(r: ClientSessionRecord): { record: ClientSessionRecord; token: string } {
  const token = newClientSessionToken(r.workspace_id, r.client_session_id);
  return { record: { ...r, token_hashes: [...r.token_hashes, hashSecret(token)].slice(-maxTokensPerSession) }, token };
}

const isLive = (r: ClientSessionRecord, now: Date) => r.revoked_at === undefined && r.expires_at > now.toISOString();
export const union = (a: readonly string[], b: readonly string[] | undefined) => [...new Set([...a, ...(b ?? [])])];

/** Grants only the workspace's owner may give: a publishable key is public, so a browser could name any device. */
function checkGrants(opener: SessionOpener, input: Pick<GrantAccessInput, 'device_ids' | 'connected_account_ids' | 'connect_webview_ids'>) {
  if (opener.kind !== 'publishable_key') return;
  for (const field of ['device_ids', 'connected_account_ids', 'connect_webview_ids'] as const) {
    if ((input[field]?.length ?? 0) > 0) throw InvalidInputError.forField(field, 'Only an API key or a personal access token can grant access');
  }
}

/** Every granted device must be one of the workspace's. */
export async function checkDevices(deps: Pick<Deps, 'devices'>, workspaceId: string, deviceIds: readonly string[] | undefined) {
  if (!deviceIds?.length) return;
  const found = await deps.devices.list(workspaceId, { deviceIds, limit: deviceIds.length });
  if (found.length !== new Set(deviceIds).size) throw deviceNotFound();
}

function expiresAt(input: { expires_at?: string }, now: Date): string {
  if (input.expires_at === undefined) return new Date(now.getTime() + defaultLifetimeMs).toISOString();
  const at = Date.parse(input.expires_at);
  if (at <= now.getTime()) throw InvalidInputError.forField('expires_at', 'Must be in the future');
  if (at > now.getTime() + maxLifetimeMs) throw InvalidInputError.forField('expires_at', 'Must be within a year');
  return input.expires_at;
}

async function openSession(deps: SessionDeps, workspaceId: string, input: CreateClientSessionInput): Promise<ClientSession> {
  const now = deps.clock.now();
  const opened = withNewToken({
    client_session_id: deps.ids.uuid(),
    workspace_id: workspaceId,
    user_identifier_key: input.user_identifier_key ?? null,
    ...(input.customer_key !== undefined && { customer_key: input.customer_key }),
    device_ids: union([], input.device_ids),
    connected_account_ids: union([], input.connected_account_ids),
    connect_webview_ids: union([], input.connect_webview_ids),
    created_at: now.toISOString(),
    expires_at: expiresAt(input, now),
    token_hashes: [],
    version: 0,
  });
  return storeAnswering(deps, opened.record, opened.token, () => deps.clientSessions.create(opened.record));
}

/** A session that ended (expired) still holds its key's claim until cleared; clear it so the key can open a new one. */
async function clearEnded(deps: SessionDeps, workspaceId: string, userIdentifierKey: string | undefined): Promise<ClientSessionRecord | undefined> {
  if (userIdentifierKey === undefined) return undefined;
  const held = await deps.clientSessions.findByUserIdentifierKey(workspaceId, userIdentifierKey);
  if (held === undefined || isLive(held, deps.clock.now())) return held;
  await deps.clientSessions.remove(held);
  return undefined;
}

/** /client_sessions/create: a new session with a new token. A live session already holding the key is a conflict. */
export async function createClientSession(deps: SessionDeps, opener: SessionOpener, input: CreateClientSessionInput): Promise<ClientSession> {
  checkGrants(opener, input);
  await checkDevices(deps, opener.workspace_id, input.device_ids);
  if (await clearEnded(deps, opener.workspace_id, input.user_identifier_key)) {
    throw new AppError('conflict', 409, 'A client session with this user_identifier_key exists; use /client_sessions/get_or_create');
  }
  return openSession(deps, opener.workspace_id, input);
}

/**
 * /client_sessions/get_or_create: the live session of `user_identifier_key`, with a new token
 * (and, from the owner, the grants added), or a new session. Two concurrent calls for one key
 * end with one session: the key is claimed atomically.
 */
export function getOrCreateClientSession(deps: SessionDeps, opener: SessionOpener, input: CreateClientSessionInput): Promise<ClientSession> {
  checkGrants(opener, input);
  return retry(retryPolicies.versionConflict, async () => {
    await checkDevices(deps, opener.workspace_id, input.device_ids);
    const held = await clearEnded(deps, opener.workspace_id, input.user_identifier_key);
    if (held === undefined) return openSession(deps, opener.workspace_id, input);
    const granted = {
      ...held,
      device_ids: union(held.device_ids, input.device_ids),
      connected_account_ids: union(held.connected_account_ids, input.connected_account_ids),
      connect_webview_ids: union(held.connect_webview_ids, input.connect_webview_ids),
    };
    const { record, token } = withNewToken({ ...granted, version: held.version + 1 });
    return storeAnswering(deps, record, token, () => deps.clientSessions.update(record, held));
  });
}

/** The session an owner names by id or by user_identifier_key. */
export async function findSession(deps: SessionDeps, workspaceId: string, input: { client_session_id?: string; user_identifier_key?: string }): Promise<ClientSessionRecord> {
  if (input.client_session_id === undefined && input.user_identifier_key === undefined) {
    throw new InvalidInputError('Must specify either client_session_id or user_identifier_key');
  }
  const found =
    input.client_session_id !== undefined
      ? await deps.clientSessions.get(workspaceId, input.client_session_id)
      : input.user_identifier_key !== undefined
        ? await deps.clientSessions.findByUserIdentifierKey(workspaceId, input.user_identifier_key)
        : undefined;
  const matches = found && (input.user_identifier_key === undefined || found.user_identifier_key === input.user_identifier_key);
  if (!matches) throw clientSessionNotFound();
  return found;
}

/**
 * /client_sessions/get. A client session gets itself, with the token it presented; the owner
 * gets any session of the workspace, with a new token for it.
 */
export async function getClientSession(
  deps: SessionDeps,
  principal: WorkspacePrincipal | ClientSessionPrincipal,
  input: { client_session_id?: string; user_identifier_key?: string },
  presentedToken?: string,
): Promise<ClientSession> {
  if (principal.kind === 'client_session') {
    const own = await deps.clientSessions.get(principal.workspace_id, principal.client_session_id);
    const other = (input.client_session_id ?? own?.client_session_id) !== own?.client_session_id || (input.user_identifier_key !== undefined && input.user_identifier_key !== own?.user_identifier_key);
    if (!own || other) throw clientSessionNotFound();
    return toClientSession(deps, own, presentedToken);
  }
  return retry(retryPolicies.versionConflict, async () => {
    const found = await findSession(deps, principal.workspace_id, input);
    if (!isLive(found, deps.clock.now())) return toClientSession(deps, found);
    const { record, token } = withNewToken({ ...found, version: found.version + 1 });
    return storeAnswering(deps, record, token, () => deps.clientSessions.update(record, found));
  });
}
