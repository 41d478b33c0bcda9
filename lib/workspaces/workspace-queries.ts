import * as z from 'zod';
import { InvalidInputError, NotFoundError } from '../errors';
import type { Deps } from '../ports';
import type { Caller } from '../principals/principal';
import type { Workspace } from './schemas';

/** The Seam `workspace` object. */
export const seamWorkspaceSchema = z.object({
  workspace_id: z.string(),
  name: z.string(),
  company_name: z.string(),
  is_sandbox: z.boolean(),
  is_suspended: z.boolean(),
  connect_partner_name: z.string().nullable(),
  connect_webview_customization: z.object({}),
  is_publishable_key_auth_enabled: z.boolean(),
  organization_id: z.string().nullable(),
});
export type SeamWorkspace = z.infer<typeof seamWorkspaceSchema>;

export const getWorkspaceInputSchema = z.object({
  workspace_id: z.guid().optional().meta({ description: "Latchkey's addition: which workspace, for a personal access token without seam-workspace." }),
});
export const listWorkspacesInputSchema = z.object({});

const toSeam = (w: Workspace): SeamWorkspace => ({
  workspace_id: w.workspace_id,
  name: w.name,
  company_name: w.name,
  is_sandbox: w.is_sandbox,
  is_suspended: false,
  connect_partner_name: null,
  connect_webview_customization: {},
  is_publishable_key_auth_enabled: true,
  organization_id: null,
});

/** The workspaces a caller reaches: a token's, or the one its credential belongs to. */
const reachable = (caller: Caller): readonly string[] =>
  caller.kind === 'personal_access_token' || caller.kind === 'personal_access_token_without_workspace' ? caller.workspace_ids : [caller.workspace_id];

async function load(deps: Pick<Deps, 'workspaces'>, ids: readonly string[]): Promise<SeamWorkspace[]> {
  const found = await Promise.all(ids.map((id) => deps.workspaces.get(id)));
  return found.filter((w): w is Workspace => w !== undefined).map(toSeam);
}

/** /workspaces/list: every workspace the caller reaches. */
export const listWorkspaces = (deps: Pick<Deps, 'workspaces'>, caller: Caller) => load(deps, reachable(caller));

/**
 * /workspaces/get: the caller's workspace. A token without seam-workspace names one with
 * `workspace_id`, or holds exactly one.
 */
export async function getWorkspace(deps: Pick<Deps, 'workspaces'>, caller: Caller, input: { workspace_id?: string }): Promise<SeamWorkspace> {
  const ids = reachable(caller);
  const wanted = input.workspace_id ?? (caller.kind === 'personal_access_token_without_workspace' ? ids[0] : caller.workspace_id);
  if (input.workspace_id === undefined && ids.length > 1 && caller.kind === 'personal_access_token_without_workspace') {
    throw InvalidInputError.forField('workspace_id', 'This token holds several workspaces: send a seam-workspace header or workspace_id');
  }
  const [workspace] = wanted !== undefined && ids.includes(wanted) ? await load(deps, [wanted]) : [];
  if (!workspace) throw new NotFoundError('workspace_not_found', 'Workspace not found');
  return workspace;
}
