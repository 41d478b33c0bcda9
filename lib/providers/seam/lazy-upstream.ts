import type { SeamUpstream, SeamUpstreamFactory } from './seam-upstream';
import { seamHttpUpstream } from './seam-upstream';

/**
 * The upstream on the official client, loaded on the first call: the HTTP functions that only
 * read provider traits never load it, and the bundles of functions that never call a provider
 * leave it out (see infra/bundling.ts).
 */
export const lazySeamUpstream: SeamUpstreamFactory = (connection) => {
  let real: Promise<SeamUpstream> | undefined;
  const load = () => (real ??= import('@seamapi/http').then((m) => seamHttpUpstream(m.SeamHttp)(connection)));
  return {
    listDevices: async () => (await load()).listDevices(),
    listAccessCodes: async (deviceId) => (await load()).listAccessCodes(deviceId),
    getAccessCode: async (id) => (await load()).getAccessCode(id),
    createAccessCode: async (params) => (await load()).createAccessCode(params),
    updateAccessCode: async (id, params) => (await load()).updateAccessCode(id, params),
    deleteAccessCode: async (id) => (await load()).deleteAccessCode(id),
    getDevice: async (id) => (await load()).getDevice(id),
    moveBolt: async (id, action) => (await load()).moveBolt(id, action),
  };
};
