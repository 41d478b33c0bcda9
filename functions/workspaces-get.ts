import { appDeps, type CoreDeps } from '../lib/deps';
import { seamCallerRoute } from '../lib/http/seam-route';
import { getWorkspace, getWorkspaceInputSchema } from '../lib/workspaces/workspace-queries';

export const makeHandler = (deps: CoreDeps) =>
  seamCallerRoute('/workspaces/get', getWorkspaceInputSchema, deps, async (input, { caller }) => ({
    workspace: await getWorkspace(deps, caller, input),
  }));

export const handler = makeHandler(appDeps());
