import { accessCodeEvent } from '../access-codes/events';
import { ProviderError } from '../devices/lock-provider';
import type { DeviceRecord } from '../devices/schemas';
import { ConflictError } from '../errors';
import type { Deps } from '../ports';
import type { AccountError, AccountWarning, ConnectedAccountRecord } from './schemas';

export type SyncDeps = Pick<Deps, 'connectedAccounts' | 'devices' | 'accessCodes' | 'accountSources' | 'clock' | 'ids'>;

/** The Latchkey-side fields of a device that a sync keeps: its creation, nickname, metadata and offline time. */
function merged(fresh: DeviceRecord, existing: DeviceRecord | undefined): DeviceRecord {
  if (!existing) return fresh;
  const offlineSince = existing.device.errors.find((e) => e.error_code === 'device_offline')?.created_at;
  return {
    ...fresh,
    device: {
      ...fresh.device,
      created_at: existing.device.created_at,
      nickname: existing.device.nickname,
      custom_metadata: existing.device.custom_metadata,
      errors: fresh.device.errors.map((e) => (e.error_code === 'device_offline' && offlineSince ? { ...e, created_at: offlineSince } : e)),
    },
  };
}

/**
 * Takes every code of a device that is gone out of Latchkey: the lock left the account, or the
 * account was deleted. Each code's removal carries an access_code.deleted event.
 */
export async function removeDeviceCodes(deps: Pick<Deps, 'accessCodes' | 'clock' | 'ids'>, device: DeviceRecord): Promise<number> {
  const { workspace_id: workspaceId, device_id: deviceId } = device.device;
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.accessCodes.list(workspaceId, { deviceId, limit: 100, cursor });
    for (const record of page.items) {
      const events = [accessCodeEvent(deps.ids, record.access_code, device.device, 'access_code.deleted', deps.clock.now())];
      try {
        await deps.accessCodes.remove(record, { events });
        removed++;
      } catch (error) {
        // The engine moved the code in between: the next sync or its own step finishes it.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return removed;
}

/**
 * Brings an account's devices in line with its provider: new locks become devices (stable
 * ids), known ones take the provider's name, online state and code rules, and locks that left
 * become gone with their codes. A provider that cannot be reached leaves the devices as they
 * are, shows on the account (`provider_service_unavailable`, or `account_disconnected` when it
 * refuses the credential), and is returned as `failure`.
 */
export async function syncConnectedAccount(deps: SyncDeps, account: ConnectedAccountRecord): Promise<{ devices: number; failure?: ProviderError }> {
  const source = deps.accountSources.for(account.provider);
  const existing = (await deps.devices.list(account.workspace_id, { limit: 10_000 })).filter((d) => d.device.connected_account_id === account.connected_account.connected_account_id);
  if (!source) return { devices: existing.length };
  const nowIso = deps.clock.now().toISOString();
  let snapshot: Awaited<ReturnType<typeof source.snapshot>>;
  try {
    snapshot = await source.snapshot(account);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    await deps.connectedAccounts.put(withHealth(account, error, nowIso));
    return { devices: existing.length, failure: error };
  }
  const byId = new Map(existing.map((d) => [d.device.device_id, d]));
  for (const fresh of snapshot.devices) await deps.devices.put(merged(fresh, byId.get(fresh.device.device_id)));
  const kept = new Set(snapshot.devices.map((d) => d.device.device_id));
  for (const gone of existing.filter((d) => !kept.has(d.device.device_id))) {
    await removeDeviceCodes(deps, gone);
    await deps.devices.remove(gone.device.workspace_id, gone.device.device_id);
  }
  await deps.connectedAccounts.put(withHealth({ ...account, last_synced_at: nowIso }, undefined, nowIso));
  return { devices: snapshot.devices.length };
}

/** The account with the errors and warnings that its provider's last answer calls for. */
function withHealth(account: ConnectedAccountRecord, error: ProviderError | undefined, nowIso: string): ConnectedAccountRecord {
  const since = (code: string) =>
    [...account.connected_account.errors, ...account.connected_account.warnings].find((i) => ('error_code' in i ? i.error_code : i.warning_code) === code)?.created_at ?? nowIso;
  const errors: AccountError[] = error?.credentialRefused
    ? [
        {
          error_code: 'account_disconnected',
          message: 'The provider refused the stored credential; reconnect the account',
          created_at: since('account_disconnected'),
          is_connected_account_error: true,
        },
      ]
    : [];
  const warnings: AccountWarning[] =
    error && !error.credentialRefused
      ? [{ warning_code: 'provider_service_unavailable', message: 'The provider could not be reached; devices show their last known state', created_at: since('provider_service_unavailable') }]
      : [];
  return { ...account, connected_account: { ...account.connected_account, errors, warnings } };
}
