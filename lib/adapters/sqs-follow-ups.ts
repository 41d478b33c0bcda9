import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { Clock, FollowUpScheduler } from '../ports';
import { idSchema } from '../schema-helpers';
import { maxSqsDelaySeconds } from './sqs-delivery-queue';
import { withoutSdkLogging } from './sdk-client';

/** The body of a follow-up message: a code to take one engine step for, or a remote lock or unlock to check. */
export const followUpMessageSchema = z.union([z.object({ workspace_id: idSchema, access_code_id: idSchema }), z.object({ workspace_id: idSchema, action_attempt_id: idSchema })]);
export type FollowUpMessage = z.infer<typeof followUpMessageSchema>;

/**
 * Follow-ups on an SQS queue with a per-message delay (up to 15 minutes), consumed by the
 * run-follow-ups function. The client loads on first use.
 */
export function sqsFollowUps(queueUrl: string, clock: Clock): FollowUpScheduler {
  let sdk: Promise<{ module: typeof import('@aws-sdk/client-sqs'); client: SQSClient }> | undefined;
  const load = () => (sdk ??= import('@aws-sdk/client-sqs').then((module) => ({ module, client: withoutSdkLogging(new module.SQSClient({})) })));
  const send = async (message: FollowUpMessage, dueAt: string) => {
    const { module, client } = await load();
    // Rounded up, so that the step never runs before it is due.
    const delaySeconds = Math.min(maxSqsDelaySeconds, Math.max(0, Math.ceil((Date.parse(dueAt) - clock.now().getTime()) / 1000)));
    await client.send(new module.SendMessageCommand({ QueueUrl: queueUrl, DelaySeconds: delaySeconds, MessageBody: JSON.stringify(message) }));
  };
  return {
    horizonMs: maxSqsDelaySeconds * 1000,
    schedule: (workspaceId, accessCodeId, dueAt) => send({ workspace_id: workspaceId, access_code_id: accessCodeId }, dueAt),
    scheduleBoltCheck: (workspaceId, actionAttemptId, dueAt) => send({ workspace_id: workspaceId, action_attempt_id: actionAttemptId }, dueAt),
  };
}
