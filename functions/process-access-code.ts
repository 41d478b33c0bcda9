import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { reconcileAccessCode } from '../lib/engine/reconcile';
import { type AppDeps, appDeps } from '../lib/deps';
import { engine } from '../lib/wiring/engine';
import { locks } from '../lib/wiring/locks';
import { observed } from '../lib/observability';
import { accessCodeEventSchema } from '../lib/events/schemas';

/**
 * Starts lock work at once: the target of the bus rule for access_code.created, .changed and
 * .deleted. Work that is not due yet is left to the poller.
 */
export const makeHandler = (deps: AppDeps) =>
  middy<EventBridgeEvent<string, unknown>>()
    .use(observed())
    .handler(async (event) => {
      const { workspace_id, access_code_id } = accessCodeEventSchema.parse(event.detail);
      await reconcileAccessCode(deps, workspace_id, access_code_id);
    });

export const handler = makeHandler(appDeps(locks, engine));
