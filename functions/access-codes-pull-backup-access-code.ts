import { pullBackupAccessCode, pullBackupInputSchema } from '../lib/access-codes/pull-backup-access-code';
import { appDeps, type LockDeps } from '../lib/deps';
import { locks } from '../lib/wiring/locks';
import { seamRoute } from '../lib/http/seam-route';

export const makeHandler = (deps: LockDeps) => seamRoute('/access_codes/pull_backup_access_code', pullBackupInputSchema, deps, (input, { principal }) => pullBackupAccessCode(deps, principal, input));

export const handler = makeHandler(appDeps(locks));
