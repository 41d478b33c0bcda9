import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { keypadEventSchema, lockShadowName } from '../lib/hub-contract/shadow-documents';
import { type EdgeConfig, lockSettings } from './config';
import { type AgentLog, LockSync } from './lock-sync';
import { connectShadowClient, type ShadowClient } from './shadow-client';
import type { LinkEvent, ZwaveLink } from './zwave-link';

export const agentVersion = '0.1.0';

export interface EdgeAgent {
  readonly shadows: ShadowClient;
  /** Waits until every lock's queued work is done (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface EdgeAgentOptions {
  log: AgentLog;
  /** The Z-Wave network, already started (see startDriverLink / startServerLink). */
  link: ZwaveLink;
  now?: () => Date;
  /** How soon to dial again after losing IoT Core (default 5 s). */
  reconnectMs?: number;
}

/**
 * The edge agent: one LockSync per User Code lock, a shadow client dialing out to IoT Core,
 * and the events between them. Every (re)connection resyncs every lock, so changes queued
 * while the hub was offline apply when it is back.
 */
export function startEdgeAgent(config: EdgeConfig, { log, link, now = () => new Date(), reconnectMs }: EdgeAgentOptions): EdgeAgent {
  const shadows = connectShadowClient({
    url: config.mqtt_url,
    thingName: config.thing_name,
    ...(reconnectMs !== undefined && { reconnectMs }),
    ...(config.cert_file && config.key_file
      ? { tls: { cert: readFileSync(config.cert_file, 'utf8'), key: readFileSync(config.key_file, 'utf8'), ...(config.ca_file ? { ca: readFileSync(config.ca_file, 'utf8') } : {}) } }
      : {}),
  });
  const syncs = new Map<number, LockSync>();

  const ensure = (nodeId: number): LockSync | undefined => {
    const existing = syncs.get(nodeId);
    if (existing) return existing;
    const node = link.locks().find((l) => l.nodeId === nodeId);
    if (!node) return undefined;
    const sync = new LockSync(link, shadows, node, lockSettings(config, nodeId), log, agentVersion);
    syncs.set(nodeId, sync);
    log.info('lock found', { node_id: nodeId, shadow: sync.shadowName, capacity: node.capacity });
    void shadows
      .watch(sync.shadowName, (delta) => void sync.onDelta(delta))
      .then(() => (shadows.isConnected() ? sync.sync() : undefined))
      .catch(() => log.warn('shadow subscription failed', { node_id: nodeId }));
    return sync;
  };

  const onEvent = (event: LinkEvent) => {
    if (event.type === 'lock_ready') {
      const known = syncs.get(event.nodeId);
      if (known && shadows.isConnected()) void known.sync();
      else ensure(event.nodeId);
      return;
    }
    const sync = syncs.get(event.nodeId);
    if (event.type === 'keypad_unlock' || event.type === 'keypad_denied') {
      const payload = keypadEventSchema.parse({
        type: event.type,
        shadow_name: lockShadowName(event.nodeId),
        node_id: event.nodeId,
        ...(event.type === 'keypad_unlock' && { slot: event.slot }),
        occurred_at: now().toISOString(),
        entry_id: randomUUID(),
      });
      log.info(event.type === 'keypad_unlock' ? 'keypad unlock' : 'keypad refused', { node_id: event.nodeId, slot: payload.slot });
      if (shadows.isConnected()) void shadows.publishEvent(payload).catch(() => log.warn('keypad event not sent', { node_id: event.nodeId }));
      return;
    }
    if (!sync) return;
    if (event.type === 'slot_changed') void sync.onSlotChanged(event.slot);
    else if (event.type === 'all_slots_changed') void sync.onSlotChanged();
    else void sync.onStatus(event.status);
  };

  link.onEvent(onEvent);
  shadows.onConnect(() => {
    log.info('connected', { thing: config.thing_name });
    for (const sync of syncs.values()) void sync.sync();
  });
  for (const node of link.locks()) ensure(node.nodeId);

  // The agent's sweep: every lock verified each interval (its User Code Checksum, or every slot
  // where it has none), one after another spread over the interval, so a hub's locks never
  // fill the Z-Wave network together.
  const intervalMs = config.refresh_minutes * 60_000;
  const spread = new Set<NodeJS.Timeout>();
  const refresh =
    config.refresh_minutes > 0
      ? setInterval(() => {
          if (!shadows.isConnected()) return;
          const locks = [...syncs.values()];
          locks.forEach((sync, i) => {
            const timer = setTimeout(
              () => {
                spread.delete(timer);
                void sync.verify();
              },
              (i * intervalMs) / locks.length,
            );
            timer.unref();
            spread.add(timer);
          });
        }, intervalMs)
      : undefined;
  refresh?.unref();

  return {
    shadows,
    async idle() {
      await Promise.all([...syncs.values()].map((s) => s.idle()));
    },
    async stop() {
      if (refresh) clearInterval(refresh);
      for (const timer of spread) clearTimeout(timer);
      await Promise.all([...syncs.values()].map((s) => s.idle()));
      await shadows.close();
    },
  };
}
