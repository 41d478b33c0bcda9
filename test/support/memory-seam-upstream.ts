import { ProviderError } from '../../lib/devices/lock-provider';
import type { SeamUpstream, SeamUpstreamFactory, UpstreamAccessCode, UpstreamDevice } from '../../lib/providers/seam';

/**
 * An upstream Seam workspace in memory, for unit tests of the Seam provider: it refuses a
 * second code with the same PIN on a device, as Seam does, and counts the creates it took.
 */
export function memorySeamUpstream(devices: UpstreamDevice[]) {
  const codes = new Map<string, UpstreamAccessCode>();
  let next = 1;
  let creates = 0;
  let down = false;
  const guard = () => {
    if (down) throw new ProviderError('provider_unavailable', 'Seam answered 503');
  };
  const upstream: SeamUpstream = {
    async listDevices() {
      guard();
      return devices.map((d) => structuredClone(d));
    },
    async listAccessCodes(deviceId) {
      guard();
      return [...codes.values()].filter((c) => c.device_id === deviceId).map((c) => structuredClone(c));
    },
    async getAccessCode(id) {
      guard();
      const c = codes.get(id);
      return c && structuredClone(c);
    },
    async createAccessCode(params) {
      guard();
      if ([...codes.values()].some((c) => c.device_id === params.device_id && c.code === params.code)) {
        throw new ProviderError('rejected_pin', 'Seam refused the code (duplicate_access_code)');
      }
      creates++;
      const code: UpstreamAccessCode = { access_code_id: `access_code${next++}`, status: 'setting', errors: [], warnings: [], name: null, ...params };
      codes.set(code.access_code_id, code);
      return structuredClone(code);
    },
    async updateAccessCode(id, params) {
      guard();
      const c = codes.get(id);
      if (c) codes.set(id, { ...c, ...params });
    },
    async deleteAccessCode(id) {
      guard();
      codes.delete(id);
    },
    async getDevice(id) {
      guard();
      const d = devices.find((device) => device.device_id === id);
      return d && structuredClone(d);
    },
    async moveBolt(id, action) {
      guard();
      const d = devices.find((device) => device.device_id === id);
      if (d) d.properties.locked = action === 'lock';
    },
  };
  const factory: SeamUpstreamFactory = () => upstream;
  return {
    factory,
    codes,
    get creates() {
      return creates;
    },
    /** Takes a device out of the upstream workspace. */
    remove(deviceId: string) {
      const at = devices.findIndex((d) => d.device_id === deviceId);
      if (at >= 0) devices.splice(at, 1);
    },
    setDown(value: boolean) {
      down = value;
    },
    /** Moves every code of the upstream to `status`, as Seam does once the lock confirms. */
    settleAll(status = 'set') {
      for (const [id, c] of codes) codes.set(id, { ...c, status });
    },
  };
}
