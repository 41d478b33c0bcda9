import type { HubShadows } from '../../providers/zwave';
import type { LocalIotCore } from './local-iot-core';
import { lockShadowSchema } from '../../hub-contract/shadow-documents';
import { ShadowRequestError } from '../../hub-contract/shadow-state';

/** The hubs' lock shadows on the local IoT Core stand-in: the same answers as the data plane's. */
export function localHubShadows(iot: LocalIotCore): HubShadows {
  return {
    async get(thingName, shadowName) {
      try {
        return lockShadowSchema.parse(iot.getThingShadow(thingName, shadowName));
      } catch (error) {
        if (error instanceof ShadowRequestError && error.code === 404) return undefined;
        throw error;
      }
    },
    async setDesired(thingName, shadowName, desired, version) {
      try {
        iot.updateThingShadow(thingName, shadowName, { state: { desired }, version });
        return true;
      } catch (error) {
        if (error instanceof ShadowRequestError && error.code === 409) return false;
        throw error;
      }
    },
    list: async (thingName) => iot.listNamedShadows(thingName),
  };
}
