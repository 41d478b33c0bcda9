import { getUnmanagedCode } from '../lib/access-codes/get-unmanaged-code';
import { getUnmanagedInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/access_codes/unmanaged/get', getUnmanagedInputSchema, deps, async (input, { principal }) => ({
    access_code: await getUnmanagedCode(deps, principal, input),
  }));

export const handler = makeHandler(appDeps());
