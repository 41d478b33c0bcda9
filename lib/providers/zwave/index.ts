import type { Integration } from '../integration';
import type { Clock } from '../../ports';
import type { HubShadows } from './hub-shadows';
import { zwaveAccountSource } from './zwave-devices';
import { zwaveProvider } from './zwave-provider';

export { createHubAccount } from './connect-hub';
export { type HubEventDeps, type HubEventLog, type HubMessage, hubMessageSchema, onHubMessage } from './hub-events';
export type { HubShadows } from './hub-shadows';
export type { HubCredentials, HubIdentities } from './provision-hub';
export { type ZwaveSettings, zwaveDevice, zwaveSettingsSchema } from './zwave-devices';
export { type ZwaveState, zwaveProvider, zwaveStateSchema } from './zwave-provider';

/** What Z-Wave hubs need: their locks' shadows (IoT Core in AWS, its local stand-in). */
export interface ZwaveNeeds {
  clock: Clock;
  zwaveShadows?: HubShadows;
}

/** Z-Wave locks behind a hub at the property, whose agent keeps one shadow per lock. Without shadows, nothing: its locks answer provider_unavailable. */
export const zwaveIntegration: Integration<ZwaveNeeds> = {
  name: 'zwave',
  wire: ({ clock, zwaveShadows }) => zwaveShadows && { provider: zwaveProvider(zwaveShadows), accountSource: zwaveAccountSource(zwaveShadows, clock) },
};
