import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { reportDeviceConstraints, reportDeviceConstraintsInputSchema } from '../lib/devices/report-constraints';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) =>
  seamRoute('/access_codes/report_device_constraints', reportDeviceConstraintsInputSchema, deps, async (input, { principal }) => {
    await reportDeviceConstraints(deps, principal, input);
    return {};
  });

export const handler = makeHandler(appDeps(locks));
