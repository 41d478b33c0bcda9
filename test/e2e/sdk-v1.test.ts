import { seamHttpV1 } from './seam-clients';
import { describeSdkConformance } from './sdk-conformance';

describeSdkConformance('@seamapi/http 1.102.0', seamHttpV1);
