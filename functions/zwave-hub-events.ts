import middy from '@middy/core';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { hubMessageSchema, onHubMessage } from '../lib/providers/zwave';
import { logger } from '../lib/logger';
import { observed } from '../lib/observability';

const log = { info: (m: string, f?: Record<string, unknown>) => logger.info(m, { ...f }), warn: (m: string, f?: Record<string, unknown>) => logger.warn(m, { ...f }) };

/**
 * The target of IoT Core's rules for Z-Wave hubs: a lock shadow's documents, a hub's presence,
 * a keypad event. A message of no known shape is logged (without its content) and dropped.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<unknown>()
    .use(observed())
    .handler(async (event) => {
      const message = hubMessageSchema.safeParse(event);
      if (!message.success) return log.warn('hub message not understood');
      await onHubMessage(deps, message.data, log);
    });

export const handler = makeHandler(appDeps(locks, engine));
