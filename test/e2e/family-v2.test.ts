import { describeAccessCodeFamily } from './access-code-family';
import { seamHttpV2 } from './seam-clients';

describeAccessCodeFamily('@seamapi/http 2.32.0', seamHttpV2);
