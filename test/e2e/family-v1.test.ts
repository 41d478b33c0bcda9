import { describeAccessCodeFamily } from './access-code-family';
import { seamHttpV1 } from './seam-clients';

describeAccessCodeFamily('@seamapi/http 1.102.0', seamHttpV1);
