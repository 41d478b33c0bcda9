import { stableDeviceId } from '../../lib/devices/derived-ids';
import { connectSeamAccount } from '../../lib/providers/seam';
import { type SeamClient, seamHttpV2 } from '../e2e/seam-clients';
import { type E2eServer, appDeps, startE2eServer } from './e2e-server';
import { type FakeSeam, startFakeSeam } from './fake-seam';
import type { ManualClock } from './memory-app';

export interface SeamUpstreamServer {
  /** Seam's fake, the upstream: its database, and the requests that reached it. */
  upstream: FakeSeam;
  server: E2eServer;
  /** The official 2.x client against Latchkey. */
  seam: SeamClient;
  /** Latchkey's id of the upstream lock, and the upstream's own. */
  deviceId: string;
  upstreamDeviceId: string;
  stop(): Promise<void>;
}

/**
 * Latchkey as `npm start` runs it (startE2eServer), with Seam's fake as the upstream of one
 * lock (`Unit 4B`, up to 50 codes), connected without a webhook secret, so Latchkey follows the
 * upstream by polling it every second. `env` is set for the server's configuration and
 * restored at stop; with `clock`, the server and the fake's request log both run on it.
 */
export async function startSeamUpstreamServer(options: { clock?: ManualClock; env?: Record<string, string> } = {}): Promise<SeamUpstreamServer> {
  const env: Record<string, string> = { LATCHKEY_SEAM_POLL_SECONDS: '1', ...options.env };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  const clock = options.clock;
  const upstream = await startFakeSeam(clock ? { now: () => clock.now() } : {});
  const upstreamDeviceId = 'unit_4b_lock';
  upstream.fake.database.addDevice({
    device_id: upstreamDeviceId,
    device_type: 'schlage_lock',
    name: 'Unit 4B',
    display_name: 'Unit 4B',
    workspace_id: upstream.workspaceId,
    connected_account_id: upstream.connectedAccountId,
    can_program_online_access_codes: true,
    properties: { online: true, supported_code_lengths: [4, 6], max_active_codes_supported: 50 },
  });
  const server = await startE2eServer(clock ? { clock } : {});
  const { connected_account_id } = await connectSeamAccount(appDeps(), { workspaceId: server.workspaceId, apiKey: upstream.apiKey, endpoint: upstream.endpoint });
  const seam = new (seamHttpV2().SeamHttp)({ apiKey: server.apiKey, endpoint: server.url });
  return {
    upstream,
    server,
    seam,
    deviceId: stableDeviceId(connected_account_id, upstreamDeviceId),
    upstreamDeviceId,
    async stop() {
      await server.stop();
      await upstream.stop();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
