import { retry, retryPolicies } from '../retry';
import type { WorkspacePrincipal } from './principal';
import { answerOnCommit } from '../idempotency/unit-of-work';
import { type SessionDeps, checkDevices, findSession, storeAnswering, toClientSession, union } from './client-sessions';
import type { ClientSession, GrantAccessInput, ListClientSessionsInput } from './schemas';

/** /client_sessions/list: the workspace's sessions, oldest first, with the public part of their tokens. */
export async function listClientSessions(deps: SessionDeps, owner: WorkspacePrincipal, input: ListClientSessionsInput): Promise<ClientSession[]> {
  const sessions = (await deps.clientSessions.list(owner.workspace_id)).filter(
    (r) =>
      (input.client_session_id === undefined || r.client_session_id === input.client_session_id) &&
      (input.user_identifier_key === undefined || r.user_identifier_key === input.user_identifier_key) &&
      (input.connect_webview_id === undefined || r.connect_webview_ids.includes(input.connect_webview_id)) &&
      (input.without_user_identifier_key !== true || r.user_identifier_key === null),
  );
  return Promise.all(sessions.map((r) => toClientSession(deps, r)));
}

/** /client_sessions/grant_access: adds devices and connected accounts to a session; its tokens see them at once. */
export function grantAccess(deps: SessionDeps, owner: WorkspacePrincipal, input: GrantAccessInput): Promise<ClientSession> {
  return retry(retryPolicies.versionConflict, async () => {
    const found = await findSession(deps, owner.workspace_id, input);
    await checkDevices(deps, owner.workspace_id, input.device_ids);
    const next = {
      ...found,
      device_ids: union(found.device_ids, input.device_ids),
      connected_account_ids: union(found.connected_account_ids, input.connected_account_ids),
      connect_webview_ids: union(found.connect_webview_ids, input.connect_webview_ids),
      version: found.version + 1,
    };
    return storeAnswering(deps, next, undefined, () => deps.clientSessions.update(next, found));
  });
}

/** /client_sessions/revoke: its tokens stop working on their next request; its user_identifier_key is free again. */
export function revokeClientSession(deps: SessionDeps, owner: WorkspacePrincipal, clientSessionId: string): Promise<void> {
  return retry(retryPolicies.versionConflict, async () => {
    const found = await findSession(deps, owner.workspace_id, { client_session_id: clientSessionId });
    if (found.revoked_at !== undefined) return;
    answerOnCommit({});
    await deps.clientSessions.update({ ...found, revoked_at: deps.clock.now().toISOString(), version: found.version + 1 }, found);
  });
}

/** /client_sessions/delete: the session and its tokens are gone. */
export function deleteClientSession(deps: SessionDeps, owner: WorkspacePrincipal, clientSessionId: string): Promise<void> {
  return retry(retryPolicies.versionConflict, async () => {
    const found = await findSession(deps, owner.workspace_id, { client_session_id: clientSessionId });
    answerOnCommit({});
    await deps.clientSessions.remove(found);
  });
}
