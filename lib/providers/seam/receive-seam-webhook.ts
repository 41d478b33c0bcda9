import * as z from 'zod';
import { seamCredentialSchema } from './seam-account';
import { stableDeviceId } from '../../devices/derived-ids';
import type { WebhookVerifier } from './seam-webhooks';
import { upstreamEntry } from './upstream-entries';
import { ConflictError, UnauthorizedError } from '../../errors';
import { logger } from '../../logger';
import type { Deps } from '../../ports';
import { idSchema } from '../../schema-helpers';
import { type SyncDeps, syncConnectedAccount } from '../../connected-accounts/sync-connected-account';

export type WebhookDeps = SyncDeps & Pick<Deps, 'secrets' | 'accessCodes' | 'clock' | 'engine'>;
/** A stored code as the repository port gives it: a provider knows the port, not the codes' room. */
type AccessCodeRecord = Parameters<WebhookDeps['accessCodes']['update']>[0];

const upstreamEventSchema = z.looseObject({
  event_id: z.string().optional(),
  event_type: z.string(),
  device_id: z.string().optional(),
  access_code_id: z.string().optional(),
});

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const refused = () => new UnauthorizedError('Invalid or missing webhook signature');

/**
 * Takes a webhook from a connected Seam workspace. The Svix signature is checked against the
 * account's webhook secret before anything is read or written; a bad one is a 401 that changes
 * nothing. A keypad entry (lock.unlocked by a code, lock.access_denied) is recorded with Latchkey's
 * device and code. A verified access_code.* event reconciles the Latchkey code at once, and a device.*
 * or connected_account.* event syncs the account. The poller stays the fallback for a missed one.
 */
export async function receiveSeamWebhook(
  deps: WebhookDeps,
  verify: WebhookVerifier,
  connectedAccountId: string,
  request: { rawBody: string; headers: Readonly<Record<string, string | undefined>> },
): Promise<void> {
  const account = idSchema.safeParse(connectedAccountId).success ? await deps.connectedAccounts.getById(connectedAccountId) : undefined;
  if (account?.provider !== 'seam' || account.secret_name === undefined) throw refused();
  const stored = await deps.secrets.get(account.secret_name);
  const secret = stored === undefined ? undefined : seamCredentialSchema.safeParse(parseJson(stored)).data?.webhook_secret;
  if (secret === undefined) throw refused();
  let payload: unknown;
  try {
    payload = await verify(secret, request.rawBody, request.headers);
  } catch {
    throw refused();
  }
  const event = upstreamEventSchema.safeParse(payload);
  if (!event.success) return;
  const { event_type: type, device_id: upstreamDevice, access_code_id: upstreamCode } = event.data;
  logger.info('seam webhook', { connected_account_id: connectedAccountId, event_type: type });

  const entry = upstreamEntry(payload, deps.clock.now());
  if (entry) {
    const device = await deps.devices.get(account.workspace_id, stableDeviceId(connectedAccountId, entry.upstreamDeviceId));
    if (device) await deps.engine.recordEntry(device, entry.report);
  } else if (type.startsWith('access_code.') && upstreamDevice !== undefined && upstreamCode !== undefined) {
    const deviceId = stableDeviceId(connectedAccountId, upstreamDevice);
    await nudgeCode(deps, account.workspace_id, deviceId, upstreamCode);
  } else if (type.startsWith('device.') || type.startsWith('connected_account.')) {
    await syncConnectedAccount(deps, account);
  }
}

/**
 * Takes an engine step now for the Latchkey code behind an upstream code. A code whose
 * upstream id is not recorded yet (its worker may still be committing what Seam answered) is
 * among the device's codes in flight that have none: those each take a step, which finds
 * their upstream code by PIN.
 */
async function nudgeCode(deps: WebhookDeps, workspaceId: string, deviceId: string, upstreamCodeId: string): Promise<void> {
  const unidentified: AccessCodeRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.accessCodes.list(workspaceId, { deviceId, limit: 200, cursor });
    const record = page.items.find((r) => r.provider_ref === upstreamCodeId);
    if (record) return stepNow(deps, record);
    unidentified.push(...page.items.filter((r) => r.provider_ref === undefined && r.due_at !== undefined));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  for (const record of unidentified) await stepNow(deps, record);
}

/** Makes a code due now and takes its engine step. */
async function stepNow(deps: WebhookDeps, record: AccessCodeRecord): Promise<void> {
  const nowIso = deps.clock.now().toISOString();
  if (record.due_at === undefined || record.due_at > nowIso) {
    try {
      await deps.accessCodes.update({ ...record, version: record.version + 1, due_at: nowIso }, record);
    } catch (error) {
      // Someone else just moved the code: its own step picks up the upstream change.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  await deps.engine.lookNow(record.access_code.workspace_id, record.access_code.access_code_id);
}
