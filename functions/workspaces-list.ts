import { appDeps, type CoreDeps } from '../lib/deps';
import { seamCallerRoute } from '../lib/http/seam-route';
import { listWorkspaces, listWorkspacesInputSchema } from '../lib/workspaces/workspace-queries';

export const makeHandler = (deps: CoreDeps) =>
  seamCallerRoute('/workspaces/list', listWorkspacesInputSchema, deps, async (_input, { caller }) => ({
    workspaces: await listWorkspaces(deps, caller),
  }));

export const handler = makeHandler(appDeps());
