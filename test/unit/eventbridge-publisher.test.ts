import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { eventBridgePublisher } from '../../lib/adapters/eventbridge-publisher';
import type { SeamEvent } from '../../lib/events/schemas';

const eventBridge = mockClient(EventBridgeClient);

const event = (i: number): SeamEvent => ({
  event_id: randomUUID(),
  workspace_id: randomUUID(),
  created_at: '2026-11-23T12:00:00.000Z',
  occurred_at: `2026-11-23T12:00:${String(i).padStart(2, '0')}.000Z`,
  event_type: i % 2 === 0 ? 'access_code.created' : 'access_code.set_on_device',
  access_code_id: randomUUID(),
  device_id: randomUUID(),
  connected_account_id: randomUUID(),
});

beforeEach(() => eventBridge.reset());

describe('the EventBridge publisher', () => {
  it('puts events on the bus in batches of ten, typed by Seam event type', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 12 }, (_, i) => event(i));
    await eventBridgePublisher('latchkey-bus').publish(events);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]?.args[0].input.Entries?.[1]).toEqual({
      EventBusName: 'latchkey-bus',
      Source: 'latchkey',
      DetailType: 'access_code.set_on_device',
      Time: new Date(events[1]?.occurred_at ?? ''),
      Detail: JSON.stringify(events[1]),
    });
  });

  it('fails when EventBridge rejects entries, so the caller does not lose them silently', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [] });
    await expect(eventBridgePublisher('latchkey-bus').publish([event(0)])).rejects.toThrow('EventBridge rejected 1 of 1 events');
  });

  it('sends nothing for no events', async () => {
    await eventBridgePublisher('latchkey-bus').publish([]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
