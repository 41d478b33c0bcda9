import { iotHubShadows } from '../adapters/iot-hub-shadows';
import type { LockSide } from '../deps';
import { wireProviders } from '../providers/registry';
import { lazySeamUpstream } from '../providers/seam';

/**
 * The lock side of the application: every lock provider and account source, reaching the world
 * as configured. Only the entries of functions whose table entry `callsLocks` import it; a cold
 * start checks that the two agree.
 */
export const locks: LockSide = (base, cfg, wiring) =>
  wireProviders(base, {
    seamUpstream: lazySeamUpstream,
    sandboxLatencyMs: cfg.LATCHKEY_SANDBOX_LATENCY_MS,
    seamPollMs: cfg.LATCHKEY_SEAM_POLL_SECONDS * 1000,
    ...(cfg.LATCHKEY_ZWAVE_HUBS === 'aws-iot' && { zwaveShadows: iotHubShadows(cfg.LATCHKEY_IOT_DATA_ENDPOINT) }),
    ...wiring,
  });
