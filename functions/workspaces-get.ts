import { type AppDeps, appDeps } from '../lib/deps';
import { seamCallerRoute } from '../lib/http/seam-route';
import { getWorkspace, getWorkspaceInputSchema } from '../lib/workspaces/workspace-queries';

export const makeHandler = (deps: AppDeps) =>
  seamCallerRoute('/workspaces/get', getWorkspaceInputSchema, deps, async (input, { caller }) => ({
    workspace: await getWorkspace(deps, caller, input),
  }));

export const handler = makeHandler(appDeps());
