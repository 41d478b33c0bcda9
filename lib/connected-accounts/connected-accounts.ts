import { NotFoundError } from '../errors';
import { answerOnCommit, holdKeyForStatedAnswer } from '../idempotency/unit-of-work';
import type { Deps } from '../ports';
import type { Principal } from '../principals/principal';
import type { ConnectedAccount, ConnectedAccountRecord, UpdateConnectedAccountInput } from './schemas';
import { type SyncDeps, removeDeviceCodes, syncConnectedAccount } from './sync-connected-account';

export const connectedAccountNotFound = () => new NotFoundError('connected_account_not_found', 'Connected account not found');

/** Whether the principal may change the account: its whole workspace, or a client session granted the account. */
const mayTouch = (principal: Principal, id: string) => principal.kind !== 'client_session' || principal.connected_account_ids.includes(id);

/**
 * The accounts a principal may read: those it may change, and for a client session also the
 * accounts its granted devices come through (Seam's components show a device's account).
 */
async function readableAccountIds(deps: Pick<Deps, 'devices'>, principal: Principal): Promise<ReadonlySet<string> | undefined> {
  if (principal.kind !== 'client_session') return undefined;
  const granted = principal.device_ids.length === 0 ? [] : await deps.devices.list(principal.workspace_id, { deviceIds: principal.device_ids, limit: principal.device_ids.length });
  return new Set([...principal.connected_account_ids, ...granted.map((d) => d.device.connected_account_id)]);
}

/** The account in the caller's workspace and grant, or connected_account_not_found. */
export async function requireAccount(deps: Pick<Deps, 'connectedAccounts'>, principal: Principal, id: string): Promise<ConnectedAccountRecord> {
  const record = mayTouch(principal, id) ? await deps.connectedAccounts.get(principal.workspace_id, id) : undefined;
  if (!record) throw connectedAccountNotFound();
  return record;
}

export async function getConnectedAccount(deps: Pick<Deps, 'connectedAccounts' | 'devices'>, principal: Principal, id: string): Promise<ConnectedAccount> {
  const readable = await readableAccountIds(deps, principal);
  const record = readable === undefined || readable.has(id) ? await deps.connectedAccounts.get(principal.workspace_id, id) : undefined;
  if (!record) throw connectedAccountNotFound();
  return record.connected_account;
}

/** The workspace's accounts, in creation order, optionally those whose metadata holds every given pair. */
export async function listConnectedAccounts(
  deps: Pick<Deps, 'connectedAccounts' | 'devices'>,
  principal: Principal,
  query: { custom_metadata_has?: Record<string, string | boolean>; limit?: number },
): Promise<ConnectedAccount[]> {
  const wanted = Object.entries(query.custom_metadata_has ?? {});
  const readable = await readableAccountIds(deps, principal);
  return (await deps.connectedAccounts.list(principal.workspace_id))
    .map((r) => r.connected_account)
    .filter((a) => readable === undefined || readable.has(a.connected_account_id))
    .filter((a) => wanted.every(([k, v]) => a.custom_metadata[k] === v))
    .slice(0, query.limit ?? 11_000);
}

export async function updateConnectedAccount(deps: Pick<Deps, 'connectedAccounts'>, principal: Principal, input: UpdateConnectedAccountInput): Promise<ConnectedAccount> {
  const record = await requireAccount(deps, principal, input.connected_account_id);
  const account: ConnectedAccount = {
    ...record.connected_account,
    ...(input.automatically_manage_new_devices !== undefined && { automatically_manage_new_devices: input.automatically_manage_new_devices }),
    ...(input.custom_metadata !== undefined && { custom_metadata: { ...record.connected_account.custom_metadata, ...input.custom_metadata } }),
  };
  answerOnCommit({ connected_account: account });
  await deps.connectedAccounts.put({ ...record, connected_account: account });
  return account;
}

/**
 * Disconnects an account: its devices and their codes' records go (each code with an
 * access_code.deleted event), then its credential, then the account itself. Codes already on
 * the locks stay there: Latchkey no longer manages them.
 */
export async function deleteConnectedAccount(deps: SyncDeps & Pick<Deps, 'secrets'>, principal: Principal, id: string): Promise<void> {
  const record = await requireAccount(deps, principal, id);
  // The key commits with the account's removal, the last write: a retry after a crash midway finishes the rest.
  holdKeyForStatedAnswer();
  const workspaceId = principal.workspace_id;
  const devices = (await deps.devices.list(workspaceId, { limit: 10_000 })).filter((d) => d.device.connected_account_id === id);
  for (const device of devices) {
    await removeDeviceCodes(deps, device);
    await deps.devices.remove(workspaceId, device.device.device_id);
  }
  if (record.secret_name !== undefined) await deps.secrets.remove(record.secret_name);
  answerOnCommit({});
  await deps.connectedAccounts.remove(workspaceId, id);
}

/** Syncs one account of the workspace now (the /connected_accounts/sync route); a provider failure shows on the account. */
export async function syncAccount(deps: SyncDeps, principal: Principal, id: string): Promise<void> {
  // Its writes are many and repeatable: no code write among them commits a key; it is kept with the answer after them.
  holdKeyForStatedAnswer();
  await syncConnectedAccount(deps, await requireAccount(deps, principal, id));
}

/** Syncs every account of every workspace whose provider lists devices (the daily rule). */
export async function syncAllAccounts(deps: SyncDeps & Pick<Deps, 'workspaces'>): Promise<{ synced: number; failed: number }> {
  let synced = 0;
  let failed = 0;
  for (const workspace of await deps.workspaces.list()) {
    for (const account of await deps.connectedAccounts.list(workspace.workspace_id)) {
      if (!deps.accountSources.for(account.provider)) continue;
      // A failed account records why (a warning or an error on it); the others still sync.
      const { failure } = await syncConnectedAccount(deps, account);
      if (failure) failed++;
      else synced++;
    }
  }
  return { synced, failed };
}
