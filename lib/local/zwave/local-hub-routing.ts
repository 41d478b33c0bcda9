import { type HubEventDeps, type HubEventLog, type HubMessage, onHubMessage } from '../../providers/zwave';
import type { LocalIotCore } from './local-iot-core';
import { keypadEventSchema } from '../../hub-contract/shadow-documents';

/**
 * Locally, what IoT Core's rules do in AWS: shadow documents, presence and hub events go to
 * the hub event use cases, one message at a time in arrival order.
 */
export function routeHubMessages(iot: LocalIotCore, deps: HubEventDeps, log: HubEventLog): { idle(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  const handle = (message: HubMessage) => {
    chain = chain
      .then(() => onHubMessage(deps, message, log))
      .catch((error: unknown) => log.warn('hub message failed', { kind: message.kind, error: error instanceof Error ? error.name : 'unknown' }));
  };
  iot.onDocuments((thing, shadow, documents) => handle({ kind: 'documents', thing_name: thing, shadow_name: shadow, previous: documents.previous, current: documents.current }));
  iot.onPresence((clientId, connected) => handle({ kind: 'presence', clientId, eventType: connected ? 'connected' : 'disconnected', timestamp: deps.clock.now().getTime() }));
  iot.onHubMessage((thing, topic, payload) => {
    const event = keypadEventSchema.safeParse(payload);
    if (topic.endsWith('/events') && event.success) handle({ ...event.data, kind: 'keypad', thing_name: thing });
  });
  return { idle: () => chain };
}
