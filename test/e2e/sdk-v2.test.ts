import { seamHttpV2 } from './seam-clients';
import { describeSdkConformance } from './sdk-conformance';

describeSdkConformance('@seamapi/http 2.32.0', seamHttpV2);
