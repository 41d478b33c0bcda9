import { UnauthorizedError } from '../errors';
import type { RequestHeaders } from './principal';
import type { Deps } from '../ports';
import { apiKeyAuthenticator } from '../workspaces/workspaces';
import type { Caller, ClientSessionPrincipal, OperatorCaller, PersonalAccessTokenPrincipal, PublishableKeyCaller } from './principal';
import { hashSecret, isPersonalAccessToken, isPublishableKey, parseClientSessionToken } from './tokens';

type AuthDeps = Pick<Deps, 'workspaces' | 'clientSessions' | 'credentials' | 'clock'>;

/**
 * Resolves a request's credentials, sent as Seam's clients send them, to its caller:
 * `Authorization: Bearer seam_cst…` (client session), `seam_at…` with an optional
 * `seam-workspace` header (personal access token), other `seam_…` (API key), or a
 * `seam-publishable-key` header. Client sessions and tokens are read on every request, so a
 * revoked or expired one is refused at once; API keys are cached for `apiKeyCacheSeconds`.
 */
export function authenticator(deps: AuthDeps, apiKeyCacheSeconds: number) {
  const apiKey = apiKeyAuthenticator(deps, apiKeyCacheSeconds);
  return async (headers: RequestHeaders): Promise<Caller> => {
    const authorization = headers.authorization;
    if (authorization === undefined) {
      const publishableKey = headers['seam-publishable-key'];
      if (publishableKey !== undefined) return publishableKeyCaller(deps, publishableKey);
      throw new UnauthorizedError('Missing credentials: send "Authorization: Bearer seam_..." or a seam-publishable-key header');
    }
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '';
    if (token.startsWith('seam_cst')) return clientSessionPrincipal(deps, token, headers['client-session-token']);
    if (token.startsWith('seam_at')) return personalAccessTokenCaller(deps, token, headers['seam-workspace']);
    const principal = await apiKey(headers);
    const named = headers['seam-workspace'];
    if (named !== undefined && named !== principal.workspace_id) throw new UnauthorizedError('This API key belongs to another workspace than seam-workspace names');
    return principal;
  };
}

async function clientSessionPrincipal(deps: AuthDeps, token: string, echoed: string | undefined): Promise<ClientSessionPrincipal> {
  const ids = parseClientSessionToken(token);
  if (ids === undefined || (echoed !== undefined && echoed !== token)) throw new UnauthorizedError('Invalid client session token');
  const session = await deps.clientSessions.get(ids.workspaceId, ids.clientSessionId);
  if (!session?.token_hashes.includes(hashSecret(token))) throw new UnauthorizedError('Invalid client session token');
  if (session.revoked_at !== undefined) throw new UnauthorizedError('This client session was revoked');
  if (session.expires_at <= deps.clock.now().toISOString()) throw new UnauthorizedError('This client session has expired');
  return {
    kind: 'client_session',
    workspace_id: session.workspace_id,
    client_session_id: session.client_session_id,
    device_ids: session.device_ids,
    connected_account_ids: session.connected_account_ids,
  };
}

async function personalAccessTokenCaller(deps: AuthDeps, token: string, workspaceId: string | undefined): Promise<PersonalAccessTokenPrincipal | OperatorCaller> {
  const record = isPersonalAccessToken(token) ? await deps.credentials.findPersonalAccessTokenByHash(hashSecret(token)) : undefined;
  if (!record) throw new UnauthorizedError('Invalid personal access token');
  const { personal_access_token_id, workspace_ids } = record;
  if (workspaceId === undefined) return { kind: 'personal_access_token_without_workspace', personal_access_token_id, workspace_ids };
  if (!workspace_ids.includes(workspaceId)) throw new UnauthorizedError('This personal access token has no access to the workspace seam-workspace names');
  return { kind: 'personal_access_token', workspace_id: workspaceId, personal_access_token_id, workspace_ids };
}

async function publishableKeyCaller(deps: AuthDeps, key: string): Promise<PublishableKeyCaller> {
  const record = isPublishableKey(key) ? await deps.credentials.findPublishableKeyByHash(hashSecret(key)) : undefined;
  if (!record) throw new UnauthorizedError('Invalid publishable key');
  return { kind: 'publishable_key', workspace_id: record.workspace_id };
}
