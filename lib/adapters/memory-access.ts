import { ConflictError } from '../errors';
import type { Written } from '../idempotency/unit-of-work';
import type { ClientSessionRepository, CredentialRepository } from '../ports';
import type { ClientSessionRecord, PersonalAccessTokenRecord, PublishableKeyRecord } from '../principals/schemas';

import { copy } from './memory-copy';

/**
 * In-memory client sessions and credentials with the DynamoDB adapter's semantics (claims,
 * versions; `commitKey` commits a running Idempotency-Key after a write's checks, before it changes anything).
 */
export function createMemoryAccessStores(commitKey: (written?: Written) => void = () => {}): { clientSessions: ClientSessionRepository; credentials: CredentialRepository } {
  const sessions = new Map<string, ClientSessionRecord>();
  const claims = new Map<string, string>();
  const publishableKeys = new Map<string, PublishableKeyRecord>();
  const tokens = new Map<string, PersonalAccessTokenRecord>();
  const key = (workspaceId: string, id: string) => `${workspaceId}|${id}`;
  const claimOf = (r: ClientSessionRecord) => (r.user_identifier_key === null || r.revoked_at !== undefined ? undefined : key(r.workspace_id, r.user_identifier_key));
  const holds = (r: ClientSessionRecord) => {
    const stored = sessions.get(key(r.workspace_id, r.client_session_id));
    if (!stored || stored.version !== r.version) throw new ConflictError();
  };
  const moveClaim = (next: ClientSessionRecord | undefined, previous: ClientSessionRecord | undefined) => {
    const before = previous && claimOf(previous);
    const after = next && claimOf(next);
    if (after !== undefined && after !== before && claims.has(after)) throw new ConflictError();
    commitKey();
    if (before !== undefined && claims.get(before) === previous?.client_session_id) claims.delete(before);
    if (after !== undefined && next) claims.set(after, next.client_session_id);
  };

  const clientSessions: ClientSessionRepository = {
    async get(workspaceId, clientSessionId) {
      const r = sessions.get(key(workspaceId, clientSessionId));
      return r && copy(r);
    },
    async findByUserIdentifierKey(workspaceId, userIdentifierKey) {
      const id = claims.get(key(workspaceId, userIdentifierKey));
      return id === undefined ? undefined : clientSessions.get(workspaceId, id);
    },
    async list(workspaceId) {
      return copy([...sessions.values()].filter((r) => r.workspace_id === workspaceId).sort((a, b) => a.created_at.localeCompare(b.created_at)));
    },
    async create(record) {
      if (sessions.has(key(record.workspace_id, record.client_session_id))) throw new ConflictError();
      moveClaim(record, undefined);
      sessions.set(key(record.workspace_id, record.client_session_id), copy(record));
    },
    async update(next, previous) {
      holds(previous);
      moveClaim(next, previous);
      sessions.set(key(next.workspace_id, next.client_session_id), copy(next));
    },
    async remove(previous) {
      holds(previous);
      moveClaim(undefined, previous);
      sessions.delete(key(previous.workspace_id, previous.client_session_id));
    },
  };

  const credentials: CredentialRepository = {
    async putPublishableKey(record) {
      publishableKeys.set(record.key_hash, copy(record));
    },
    async findPublishableKeyByHash(keyHash) {
      const r = publishableKeys.get(keyHash);
      return r && copy(r);
    },
    async putPersonalAccessToken(record) {
      tokens.set(record.key_hash, copy(record));
    },
    async findPersonalAccessTokenByHash(keyHash) {
      const r = tokens.get(keyHash);
      return r && copy(r);
    },
    async listPersonalAccessTokens() {
      return copy([...tokens.values()].sort((a, b) => a.created_at.localeCompare(b.created_at)));
    },
    async revokePersonalAccessToken(personalAccessTokenId) {
      const found = [...tokens.values()].find((t) => t.personal_access_token_id === personalAccessTokenId);
      if (found) tokens.delete(found.key_hash);
      return found !== undefined;
    },
  };
  return { clientSessions, credentials };
}
