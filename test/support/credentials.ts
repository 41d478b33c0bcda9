import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AppDeps } from '../../lib/deps';
import { routes } from '../../lib/http/routes';
import { createClientSession } from '../../lib/principals/client-sessions';
import { createPersonalAccessToken, createPublishableKey } from '../../lib/principals/credentials';
import type { CallerKind } from '../../lib/principals/principal';
import { createClientSessionInputSchema } from '../../lib/principals/schemas';
import type { sandboxWorkspace } from './memory-app';

type Workspace = Awaited<ReturnType<typeof sandboxWorkspace>>;
export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * One credential of every kind for a sandbox workspace, as the headers Seam's clients send;
 * the client session is granted `grantedDeviceIds` only.
 */
export async function credentialsFor(deps: AppDeps, ws: Workspace, grantedDeviceIds: string[]) {
  const pat = await createPersonalAccessToken(deps, { name: 'ops', workspaceIds: [ws.workspaceId] });
  const { publishable_key } = await createPublishableKey(deps, ws.workspaceId);
  const session = await createClientSession(deps, ws.principal, createClientSessionInputSchema.parse({ user_identifier_key: 'guest-1', device_ids: grantedDeviceIds }));
  const headers: Record<CallerKind, Record<string, string>> = {
    api_key: { authorization: `Bearer ${ws.apiKey}` },
    personal_access_token: { authorization: `Bearer ${pat.personal_access_token}`, 'seam-workspace': ws.workspaceId },
    personal_access_token_without_workspace: { authorization: `Bearer ${pat.personal_access_token}` },
    client_session: { authorization: `Bearer ${session.token}`, 'client-session-token': session.token },
    publishable_key: { 'seam-publishable-key': publishable_key },
  };
  return { headers, session, pat, publishableKey: publishable_key };
}

/** Every route's real handler, built on `deps`, by path. */
export async function routeHandlers(deps: AppDeps): Promise<Map<string, Handler>> {
  const byPath = new Map<string, Handler>();
  for (const route of routes) {
    const module: { makeHandler: (d: AppDeps) => Handler } = await import(`../../functions/${route.fn}`);
    byPath.set(route.path, module.makeHandler(deps));
  }
  return byPath;
}
