import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { functionNames, projectRoot, publisherFunction } from '../../infra/functions';
import { synthLatchkey } from './latchkey-app';

const { stateless } = synthLatchkey();
const withEmail = synthLatchkey({ stage: 'prod', alarmEmail: 'ops@example.com' });
const resourcesSchema = z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() }));
const resources = resourcesSchema.parse(stateless.toJSON().Resources);
const alarmSchema = z
  .object({
    AlarmName: z.string(),
    AlarmDescription: z.string(),
    AlarmActions: z.array(z.unknown()),
    OKActions: z.array(z.unknown()),
    TreatMissingData: z.literal('notBreaching'),
    Threshold: z.number(),
    MetricName: z.string().optional(),
    Namespace: z.string().optional(),
    Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional(),
    Metrics: z.array(z.unknown()).optional(),
  })
  .loose();
const alarms = Object.values(resources)
  .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
  .map((r) => alarmSchema.parse(r.Properties));
const alarmNamed = (name: string) => {
  const found = alarms.find((a) => a.AlarmName === `latchkey-dev-${name}`);
  if (!found) throw new Error(`No alarm ${name}`);
  return found;
};
const metricSchema = z.object({
  Metrics: z
    .array(z.object({ MetricStat: z.object({ Metric: z.object({ Namespace: z.string(), MetricName: z.string(), Dimensions: z.array(z.unknown()).optional() }), Stat: z.string() }) }))
    .length(1),
});
/** The one metric an alarm watches (CDK writes a labelled metric in the Metrics form). */
const metricOf = (alarm: z.infer<typeof alarmSchema>) => {
  const stat = metricSchema.parse(alarm).Metrics[0]?.MetricStat;
  return { ...stat?.Metric, Stat: stat?.Stat };
};
const topicId = Object.entries(resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')?.[0] ?? '';
const deadLetterQueues = [
  'FollowUpDeadLetters',
  'WebhookDeadLetters',
  'PublisherFailures',
  'PollerDeadLetters',
  'WorkerDeadLetters',
  'AccountSyncDeadLetters',
  'WebhookFanOutDeadLetters',
  'HubEventsDeadLetters',
  'UndeliveredHubMessages',
];

test('one topic per stage, which every alarm notifies when it fires and when it clears', () => {
  expect(Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Topic')).toHaveLength(1);
  for (const alarm of alarms) {
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
  }
  stateless.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
});

test('the alarmEmail context subscribes an address; without it the topic has no subscriber', () => {
  stateless.resourceCountIs('AWS::SNS::Subscription', 0);
  withEmail.stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
});

test.each(deadLetterQueues)('dead-letter queue %s alarms on its first message', (queue) => {
  const alarm = alarmNamed(`dead-letters-${queue}`);
  expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  expect(metricOf(alarm)).toEqual(expect.objectContaining({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' }));
});

test('every dead-letter queue of the stack has its alarm', () => {
  const queues = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  const redriven = queues.filter(([, r]) => r.Properties?.RedrivePolicy !== undefined);
  expect(alarms.filter((a) => a.AlarmName.includes('dead-letters-'))).toHaveLength(deadLetterQueues.length);
  // The two queues with a redrive policy (follow-ups and webhook deliveries) are no dead-letter queues; all others are.
  expect(queues).toHaveLength(deadLetterQueues.length + 2);
  expect(redriven).toHaveLength(2);
});

test("the stream relay's iterator age", () => {
  expect(alarmNamed('relay-behind')).toMatchObject({ Threshold: 300_000, EvaluationPeriods: 2 });
  expect(metricOf(alarmNamed('relay-behind'))).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Stat: 'Maximum' });
  expect(JSON.stringify(metricOf(alarmNamed('relay-behind')).Dimensions)).toContain('PublishEvents');
  expect(publisherFunction).toBe('publish-events');
});

test('every function has an errors alarm, and throttling in the account has one', () => {
  for (const name of functionNames) {
    expect(alarmNamed(`errors-${name}`)).toMatchObject({ Threshold: 1 });
    expect(metricOf(alarmNamed(`errors-${name}`))).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Stat: 'Sum' });
  }
  expect(alarmNamed('throttles')).toMatchObject({ Threshold: 1 });
  expect(metricOf(alarmNamed('throttles'))).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
  expect(metricOf(alarmNamed('throttles')).Dimensions).toBeUndefined();
});

test("the API's 5xx rate, the poller's lag and the webhook backlog", () => {
  const api5xx = alarmNamed('api-5xx');
  expect(api5xx.Threshold).toBe(1);
  expect(JSON.stringify(api5xx.Metrics)).toContain('IF(requests > 0, 100 * serverErrors / requests, 0)');
  expect(JSON.stringify(api5xx.Metrics)).toContain('"MetricName":"5xx"');
  expect(alarmNamed('poller-lag')).toMatchObject({ Threshold: 300_000 });
  expect(metricOf(alarmNamed('poller-lag'))).toMatchObject({
    Namespace: 'Latchkey',
    MetricName: 'PollerLag',
    Dimensions: expect.arrayContaining([
      { Name: 'service', Value: 'latchkey' },
      { Name: 'stage', Value: 'dev' },
    ]),
  });
  expect(alarmNamed('webhook-backlog')).toMatchObject({ Threshold: 100, EvaluationPeriods: 3 });
  expect(metricOf(alarmNamed('webhook-backlog'))).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
});

test("every alarm's description sends the reader to a row of the README's table of alarms", () => {
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  for (const alarm of alarms) {
    const kind = /What to do: README\.md, Alarms, "([a-z0-9-]+)"\./.exec(alarm.AlarmDescription)?.[1];
    expect(kind).toBeDefined();
    expect(readme).toContain(`| \`${kind}\``);
  }
});

test('a dashboard per stage with the alarms, codes set and failed, time to set, the alarmed figures, and provider calls, throttled waits and queue age per provider', () => {
  const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
  expect(dashboards[0]?.Properties?.DashboardName).toBe('latchkey-dev');
  for (const figure of ['CodesSet', 'CodesFailed', 'TimeToSet', 'PollerLag', 'IteratorAge', '5xx', 'ApproximateNumberOfMessagesVisible', 'Errors', 'Throttles', '\\"type\\":\\"alarm\\"'])
    expect(body).toContain(figure);
  // Each provider's calls, waits and queue age, by the provider dimension the engine records them with.
  for (const provider of ['sandbox', 'seam', 'zwave']) {
    for (const figure of ['ProviderCalls', 'ThrottledWaits', 'QueueAge']) expect(body).toMatch(new RegExp(`\\\\"${figure}\\\\",\\\\"provider\\\\",\\\\"${provider}\\\\"`));
  }
  expect(body).toMatch(/Queue age, p90/);
});
