import type { Device } from '../devices/schemas';
import { UnauthorizedError } from '../errors';
import type { Deps } from '../ports';

/**
 * Who is calling, as authentication established it: the workspace every read and write is
 * scoped to and, for a client session, the devices and connected accounts it was granted.
 * Use cases take it whole, so a new kind of caller changes no signature.
 */
export type Principal = WorkspacePrincipal | ClientSessionPrincipal;

/** A caller that may touch everything in its workspace: an API key, or a personal access token with `seam-workspace`. */
export type WorkspacePrincipal = ApiKeyPrincipal | PersonalAccessTokenPrincipal;

export interface ApiKeyPrincipal {
  kind: 'api_key';
  workspace_id: string;
}

/** An operator's token acting in the workspace its `seam-workspace` header names (one the token holds). */
export interface PersonalAccessTokenPrincipal {
  kind: 'personal_access_token';
  workspace_id: string;
  personal_access_token_id: string;
  /** Every workspace the token holds, for /workspaces/list. */
  workspace_ids: readonly string[];
}

/** A client session: only its granted devices, and the devices of its granted connected accounts. */
export interface ClientSessionPrincipal {
  kind: 'client_session';
  workspace_id: string;
  client_session_id: string;
  device_ids: readonly string[];
  connected_account_ids: readonly string[];
}

/** The principal of a workspace's own API key (tests, the CLI, internal callers). */
export const workspacePrincipal = (workspaceId: string): ApiKeyPrincipal => ({ kind: 'api_key', workspace_id: workspaceId });

/**
 * Whoever authenticated: a principal, or a credential that reaches no workspace's devices on
 * its own (a publishable key, which may only open client sessions; a personal access token
 * without `seam-workspace`, which may only see its workspaces).
 */
/** The request headers authentication reads (lower-case names, as API Gateway gives them). */
export type RequestHeaders = Readonly<Record<string, string | undefined>>;

export type Caller = Principal | PublishableKeyCaller | OperatorCaller;
export type CallerKind = Caller['kind'];

export interface PublishableKeyCaller {
  kind: 'publishable_key';
  workspace_id: string;
}

export interface OperatorCaller {
  kind: 'personal_access_token_without_workspace';
  personal_access_token_id: string;
  workspace_ids: readonly string[];
}

export const isPrincipal = (caller: Caller): caller is Principal => caller.kind === 'api_key' || caller.kind === 'personal_access_token' || caller.kind === 'client_session';

/** The caller, if it owns its workspace (an API key, or a token with seam-workspace); routes list who may call them, this keeps the types honest. */
export function requireOwner(caller: Caller): WorkspacePrincipal {
  if (caller.kind === 'api_key' || caller.kind === 'personal_access_token') return caller;
  throw new UnauthorizedError('Only an API key or a personal access token with seam-workspace may do this');
}

/** The caller, if it may open client sessions: the owner, or a browser with the publishable key. */
export function requireOpener(caller: Caller): WorkspacePrincipal | PublishableKeyCaller {
  return caller.kind === 'publishable_key' ? caller : requireOwner(caller);
}

/** Whether the principal may touch this device of its workspace. */
export function grants(principal: Principal, device: Pick<Device, 'device_id' | 'workspace_id' | 'connected_account_id'>): boolean {
  if (device.workspace_id !== principal.workspace_id) return false;
  if (principal.kind !== 'client_session') return true;
  return principal.device_ids.includes(device.device_id) || principal.connected_account_ids.includes(device.connected_account_id);
}

/**
 * Whether the principal may touch the device with this id. Costs no read for a workspace-wide
 * principal or a directly granted device; reads the device only to check a connected-account grant.
 */
export async function grantsDeviceId(deps: Pick<Deps, 'devices'>, principal: Principal, deviceId: string): Promise<boolean> {
  if (principal.kind !== 'client_session' || principal.device_ids.includes(deviceId)) return true;
  if (principal.connected_account_ids.length === 0) return false;
  const record = await deps.devices.get(principal.workspace_id, deviceId);
  return record !== undefined && grants(principal, record.device);
}

/**
 * The ids of the devices the principal may touch, or undefined when it may touch the whole
 * workspace (no restriction to apply to a list).
 */
export async function grantedDeviceIds(deps: Pick<Deps, 'devices'>, principal: Principal): Promise<ReadonlySet<string> | undefined> {
  if (principal.kind !== 'client_session') return undefined;
  if (principal.connected_account_ids.length === 0) return new Set(principal.device_ids);
  const records = await deps.devices.list(principal.workspace_id, { limit: maxDevicesPerWorkspace });
  return new Set(records.filter((r) => grants(principal, r.device)).map((r) => r.device.device_id));
}

/** The most devices a connected-account grant is resolved over. */
const maxDevicesPerWorkspace = 10_000;
