import { InvalidInputError } from '../errors';
import type { Deps } from '../ports';
import type { PersonalAccessTokenRecord } from './schemas';
import { hashSecret, newPersonalAccessToken, newPublishableKey, secretPrefix } from './tokens';

type CredentialDeps = Pick<Deps, 'credentials' | 'workspaces' | 'clock' | 'ids'>;

async function requireWorkspaces(deps: CredentialDeps, workspaceIds: readonly string[]) {
  for (const id of workspaceIds) {
    if (!(await deps.workspaces.get(id))) throw InvalidInputError.forField('workspace', `No workspace ${id}`);
  }
}

/** A publishable key for a workspace's browsers: it opens client sessions and nothing else. Shown once. */
export async function createPublishableKey(deps: CredentialDeps, workspaceId: string): Promise<{ publishable_key_id: string; publishable_key: string }> {
  await requireWorkspaces(deps, [workspaceId]);
  const key = newPublishableKey();
  const publishable_key_id = deps.ids.uuid();
  await deps.credentials.putPublishableKey({
    publishable_key_id,
    workspace_id: workspaceId,
    key_hash: hashSecret(key),
    key_prefix: secretPrefix(key),
    created_at: deps.clock.now().toISOString(),
  });
  return { publishable_key_id, publishable_key: key };
}

/** An operator's token for the named workspaces. Shown once. */
export async function createPersonalAccessToken(
  deps: CredentialDeps,
  options: { name: string; workspaceIds: readonly string[] },
): Promise<{ personal_access_token_id: string; personal_access_token: string }> {
  if (options.workspaceIds.length === 0) throw InvalidInputError.forField('workspace', 'Name at least one workspace');
  await requireWorkspaces(deps, options.workspaceIds);
  const token = newPersonalAccessToken();
  const personal_access_token_id = deps.ids.uuid();
  await deps.credentials.putPersonalAccessToken({
    personal_access_token_id,
    name: options.name,
    workspace_ids: [...new Set(options.workspaceIds)],
    key_hash: hashSecret(token),
    key_prefix: secretPrefix(token),
    created_at: deps.clock.now().toISOString(),
  });
  return { personal_access_token_id, personal_access_token: token };
}

/** Tokens as an operator sees them: never the secret nor its hash. */
export const describeToken = ({ key_hash: _, ...token }: PersonalAccessTokenRecord) => token;
