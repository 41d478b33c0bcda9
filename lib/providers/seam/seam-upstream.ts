import type { SeamHttp } from '@seamapi/http';
import * as z from 'zod';
import { ProviderError } from '../../devices/lock-provider';

/*
 * The calls the Seam provider makes to a customer's own Seam workspace, behind a narrow port
 * so that the provider is tested without HTTP and the official client loads only in the
 * functions that call a lock. Upstream answers are parsed with these schemas: an upstream is
 * external input.
 */

const issueSchema = z.looseObject({ message: z.string().default('') });

export const upstreamAccessCodeSchema = z.looseObject({
  access_code_id: z.string().min(1),
  device_id: z.string().min(1),
  code: z.string().nullish(),
  name: z.string().nullish(),
  status: z.string(),
  starts_at: z.string().nullish(),
  ends_at: z.string().nullish(),
  errors: z.array(issueSchema.extend({ error_code: z.string() })).default([]),
  warnings: z.array(issueSchema.extend({ warning_code: z.string() })).default([]),
});
export type UpstreamAccessCode = z.infer<typeof upstreamAccessCodeSchema>;

export const upstreamDeviceSchema = z.looseObject({
  device_id: z.string().min(1),
  device_type: z.string().default('unknown'),
  display_name: z.string().optional(),
  nickname: z.string().optional(),
  can_program_online_access_codes: z.boolean().optional(),
  can_remotely_lock: z.boolean().optional(),
  can_remotely_unlock: z.boolean().optional(),
  capabilities_supported: z.array(z.string()).default([]),
  properties: z
    .looseObject({
      name: z.string().optional(),
      online: z.boolean().optional(),
      manufacturer: z.string().optional(),
      locked: z.boolean().optional(),
      battery_level: z.number().optional(),
      supported_code_lengths: z.array(z.number().int().positive()).optional(),
      max_active_codes_supported: z.number().int().positive().optional(),
      code_constraints: z.array(z.looseObject({ constraint_type: z.string() })).optional(),
      model: z.looseObject({ display_name: z.string().optional(), manufacturer_display_name: z.string().optional() }).optional(),
    })
    .default({}),
});
export type UpstreamDevice = z.infer<typeof upstreamDeviceSchema>;

export interface UpstreamCodeParams {
  device_id: string;
  code: string;
  name?: string;
  starts_at?: string;
  ends_at?: string;
}

/** A customer's Seam workspace, as the provider uses it. Failures are ProviderErrors. */
export interface SeamUpstream {
  listDevices(): Promise<UpstreamDevice[]>;
  listAccessCodes(deviceId: string): Promise<UpstreamAccessCode[]>;
  /** Undefined when the upstream has no such code (deleted there, or never created). */
  getAccessCode(accessCodeId: string): Promise<UpstreamAccessCode | undefined>;
  createAccessCode(params: UpstreamCodeParams): Promise<UpstreamAccessCode>;
  updateAccessCode(accessCodeId: string, params: Omit<UpstreamCodeParams, 'device_id'>): Promise<void>;
  /** Succeeds when the code is already gone. */
  deleteAccessCode(accessCodeId: string): Promise<void>;
  /** Undefined when the upstream has no such device. */
  getDevice(deviceId: string): Promise<UpstreamDevice | undefined>;
  /** Asks the upstream to lock or unlock; its device's `properties.locked` shows when the lock did. */
  moveBolt(deviceId: string, action: 'lock' | 'unlock'): Promise<void>;
}

/** How the provider reaches one upstream workspace. */
export interface SeamConnection {
  endpoint: string;
  apiKey: string;
}

export type SeamUpstreamFactory = (connection: SeamConnection) => SeamUpstream;

const apiErrorSchema = z.object({ statusCode: z.number(), code: z.string().optional() });
const transportErrorSchema = z.object({
  isAxiosError: z.literal(true),
  response: z.object({ status: z.number(), headers: z.record(z.string(), z.unknown()).optional() }).optional(),
});

const retryAfterMs = (headers: Record<string, unknown> | undefined): number | undefined => {
  const value = headers?.['retry-after'];
  const seconds = typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

/**
 * Tells upstream failures apart: an upstream that is down, rate-limiting, unreachable or
 * refusing the credential is `provider_unavailable` (retried, never a failed code, never
 * device_offline); anything else it refuses is `transient` unless the caller knows better.
 */
export function upstreamFailure(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const transport = transportErrorSchema.safeParse(error);
  const api = apiErrorSchema.safeParse(error);
  const status = api.success ? api.data.statusCode : transport.success ? transport.data.response?.status : undefined;
  const headers = transport.success ? transport.data.response?.headers : undefined;
  if (status === undefined && !transport.success) return new ProviderError('transient', 'The Seam upstream call failed');
  if (status === undefined) return new ProviderError('provider_unavailable', 'Seam did not answer');
  if (status === 429) return new ProviderError('provider_unavailable', 'Seam is rate-limiting requests', { retryAfterMs: retryAfterMs(headers) });
  if (status >= 500) return new ProviderError('provider_unavailable', `Seam answered ${status}`);
  if (status === 401 || status === 403) return new ProviderError('provider_unavailable', "Seam refused the connected account's API key", { credentialRefused: true });
  return new ProviderError('transient', `Seam refused the request (${api.success ? (api.data.code ?? status) : status})`);
}

/** The upstream error type of a refused call (`duplicate_access_code`, ...), if Seam named one. */
export const upstreamErrorType = (error: unknown): { status: number; type?: string } | undefined => {
  const api = apiErrorSchema.safeParse(error);
  return api.success ? { status: api.data.statusCode, type: api.data.code } : undefined;
};

const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    throw upstreamFailure(error);
  }
};

/** As `guarded`, but an upstream 404 (the thing is gone upstream) answers `undefined`. */
const unlessGone = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await call();
  } catch (error) {
    if (upstreamErrorType(error)?.status === 404) return undefined;
    throw upstreamFailure(error);
  }
};

/**
 * The upstream on the official client. Requests time out after 10 s; the client's own retries
 * are off, so that the lifecycle engine's backoff is the only retry policy and a create is
 * never sent twice by the client.
 */
export const seamHttpUpstream =
  (Client: typeof SeamHttp): SeamUpstreamFactory =>
  ({ endpoint, apiKey }) => {
    const seam = new Client({ apiKey, endpoint, timeout: 10_000, axiosRetryOptions: { retries: 0 } });
    return {
      listDevices: () => guarded(async () => z.array(upstreamDeviceSchema).parse(await seam.devices.list())),
      listAccessCodes: (deviceId) => guarded(async () => z.array(upstreamAccessCodeSchema).parse(await seam.accessCodes.list({ device_id: deviceId }))),
      getAccessCode: (accessCodeId) => unlessGone(async () => upstreamAccessCodeSchema.parse(await seam.accessCodes.get({ access_code_id: accessCodeId }))),
      async createAccessCode(params) {
        try {
          return upstreamAccessCodeSchema.parse(await seam.accessCodes.create(params));
        } catch (error) {
          const refused = upstreamErrorType(error);
          // Seam's own message can quote the PIN: keep only its error type.
          if (refused?.status === 400 || refused?.status === 409) {
            throw new ProviderError('rejected_pin', `Seam refused the code (${refused.type ?? refused.status})`);
          }
          throw upstreamFailure(error);
        }
      },
      updateAccessCode: (accessCodeId, params) =>
        guarded(async () => {
          await seam.accessCodes.update({ access_code_id: accessCodeId, ...params, ...(params.starts_at === undefined && { type: 'ongoing' as const }) });
        }),
      async deleteAccessCode(accessCodeId) {
        await unlessGone(() => seam.accessCodes.delete({ access_code_id: accessCodeId }));
      },
      getDevice: (deviceId) => unlessGone(async () => upstreamDeviceSchema.parse(await seam.devices.get({ device_id: deviceId }))),
      // Latchkey's own attempt follows the lock's report; the client does not wait for Seam's.
      moveBolt: (deviceId, action) =>
        guarded(async () => {
          const options = { waitForActionAttempt: false };
          if (action === 'lock') await seam.locks.lockDoor({ device_id: deviceId }, options);
          else await seam.locks.unlockDoor({ device_id: deviceId }, options);
        }),
    };
  };
