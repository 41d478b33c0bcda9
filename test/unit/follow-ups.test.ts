import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { reconcileAccessCode } from '../../lib/engine/reconcile';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { sqsFollowUps } from '../../lib/adapters/sqs-follow-ups';
import type { FollowUpScheduler } from '../../lib/ports';
import { ManualClock, memoryApp, sandboxWorkspace } from '../support/memory-app';

describe('follow-ups', () => {
  it('asks for the verify step at the time it falls due, not at the next poll', async () => {
    const app = memoryApp({ latencyMs: 2000 });
    const scheduled: { accessCodeId: string; dueAt: string }[] = [];
    const followUps: FollowUpScheduler = {
      horizonMs: 900_000,
      async schedule(_workspaceId, accessCodeId, dueAt) {
        scheduled.push({ accessCodeId, dueAt });
      },
      async scheduleBoltCheck() {},
    };
    const deps = { ...app.deps, followUps };
    const ws = await sandboxWorkspace(deps);
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: ws.byType('kwikset_lock').device_id }));
    // The worker's first step programs the lock; the check comes when the lock has applied it.
    await reconcileAccessCode(deps, ws.workspaceId, access_code.access_code_id);
    expect(scheduled).toEqual([{ accessCodeId: access_code.access_code_id, dueAt: new Date(app.clock.now().getTime() + 2000).toISOString() }]);
    app.clock.advance(2000);
    await reconcileAccessCode(deps, ws.workspaceId, access_code.access_code_id);
    expect((await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id))?.access_code.status).toBe('set');
  });

  it('on SQS, delays the message until the step is due, rounded up, at most 15 minutes', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({});
    const clock = new ManualClock(new Date('2026-11-30T12:00:00.000Z'));
    const queue = sqsFollowUps('https://sqs.local/follow-ups', clock);
    await queue.schedule('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '2026-11-30T12:00:02.300Z');
    await queue.schedule('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '2026-11-30T13:00:00.000Z');
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent.map((m) => m.DelaySeconds)).toEqual([3, 900]);
    expect(JSON.parse(sent[0]?.MessageBody ?? '')).toEqual({ workspace_id: '00000000-0000-4000-8000-000000000001', access_code_id: '00000000-0000-4000-8000-000000000002' });
    sqs.restore();
  });
});
