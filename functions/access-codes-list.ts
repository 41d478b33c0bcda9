import { listAccessCodes } from '../lib/access-codes/list-access-codes';
import { listAccessCodesInputSchema } from '../lib/access-codes/schemas';
import { appDeps, type CoreDeps } from '../lib/deps';
import { pagination } from '../lib/http/pagination';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: CoreDeps) =>
  seamRoute('/access_codes/list', listAccessCodesInputSchema, deps, async (input, { principal, event }) => {
    const { access_codes, next_page_cursor } = await listAccessCodes(deps, principal, input);
    return { access_codes, pagination: pagination(next_page_cursor, input, event) };
  });

export const handler = makeHandler(appDeps());
