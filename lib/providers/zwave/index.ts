import type { Integration } from '../integration';
import type { Clock } from '../../ports';
import type { HubShadows } from './hub-shadows';
import { zwaveAccountSource } from './zwave-devices';
import { type ZwaveKeypad, zwaveProvider } from './zwave-provider';

export { createHubAccount } from './connect-hub';
export { type HubEventDeps, type HubEventLog, type HubMessage, hubMessageSchema, onHubMessage } from './hub-events';
export type { HubShadows } from './hub-shadows';
export type { HubCredentials, HubIdentities } from './provision-hub';
export { type ZwaveSettings, zwaveDevice, zwaveSettingsSchema } from './zwave-devices';
export { type ZwaveKeypad, type ZwaveState, zwaveProvider, zwaveStateSchema } from './zwave-provider';

/** What Z-Wave hubs need: their locks' shadows (IoT Core in AWS, its local stand-in). */
export interface ZwaveNeeds {
  clock: Clock;
  zwaveShadows?: HubShadows;
  /** Local mode's mock locks only: their keypads, for simulated entries. */
  zwaveKeypad?: ZwaveKeypad;
}

/** Z-Wave locks behind a hub at the property, whose agent keeps one shadow per lock. Without shadows, nothing: its locks answer provider_unavailable. */
export const zwaveIntegration: Integration<ZwaveNeeds> = {
  name: 'zwave',
  wire: ({ clock, zwaveShadows, zwaveKeypad }) => zwaveShadows && { provider: zwaveProvider(zwaveShadows, zwaveKeypad), accountSource: zwaveAccountSource(zwaveShadows, clock) },
};
