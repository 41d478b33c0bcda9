import { listUnmanagedCodes } from '../lib/access-codes/list-unmanaged-codes';
import { listUnmanagedInputSchema } from '../lib/access-codes/unmanaged-schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { pagination } from '../lib/http/pagination';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/access_codes/unmanaged/list', listUnmanagedInputSchema, deps, async (input, { principal, event }) => {
    const { access_codes, next_page_cursor } = await listUnmanagedCodes(deps, principal, input);
    return { access_codes, pagination: pagination(next_page_cursor, input, event) };
  });

export const handler = makeHandler(appDeps());
