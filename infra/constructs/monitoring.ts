import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, AlarmStatusWidget, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LatchkeyConfig } from '../config';
import type { LatchkeyFunction } from './latchkey-function';

export interface MonitoringProps {
  readonly config: LatchkeyConfig;
  /** Every function, by its file name in functions/. */
  readonly functions: ReadonlyMap<string, LatchkeyFunction>;
  /** Every dead-letter queue, by construct id. */
  readonly deadLetterQueues: ReadonlyMap<string, IQueue>;
  /** The outbox's relay, which reads the table's stream. */
  readonly relay: LatchkeyFunction;
  readonly api: HttpApi;
  readonly webhookDeliveries: IQueue;
}

const period = Duration.minutes(5);

/** The kinds of alarm, each a row of the README's table of alarms. */
export type AlarmKind = 'dead-letters' | 'relay-behind' | 'errors' | 'throttles' | 'api-5xx' | 'poller-lag' | 'webhook-backlog';

/** What the alarms take as their thresholds; the README's alarm table explains each. */
export const alarmThresholds = {
  /** Relay behind by this long: events reach the worker and webhooks this late. */
  relayIteratorAgeMs: 5 * 60_000,
  /** Share of API requests answered 5xx, in percent, for two periods of 5 minutes. */
  apiServerErrorPercent: 1,
  /** Webhook deliveries waiting, for three periods of 5 minutes. */
  webhookBacklog: 100,
} as const;

/** Poller lag past which its alarm fires: three poll intervals, and never under 5 minutes. */
export const pollerLagThresholdMs = (config: LatchkeyConfig) => Math.max(5 * 60_000, 3 * config.pollRateMinutes * 60_000);

/**
 * What reaches a person: one SNS topic per stage (the `alarmEmail` context subscribes an
 * address), alarms on every failure that would otherwise be silent, and a dashboard with those
 * figures and the engine's own (codes set and failed, time to set). No data is no alarm: a
 * quiet stage stays OK.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config } = props;
    const stage = config.stage;
    this.topic = new Topic(this, 'Alarms', { displayName: `Latchkey ${stage} alarms`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SNS2',
      reason: 'Alarm notices carry no data; CloudWatch cannot publish to the AWS-managed SNS key, and a key of our own costs $1 a month per stage.',
    });
    if (config.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const notify = new SnsAction(this.topic);

    /** `kind` names the alarm's row in the README's table of alarms (what it means, what to do). */
    const alarm = (scope: Construct, alarmId: string, a: { name: string; kind: AlarmKind; description: string; metric: IMetric; threshold: number; evaluationPeriods?: number }) => {
      const made = new Alarm(scope, alarmId, {
        alarmName: `latchkey-${stage}-${a.name}`,
        alarmDescription: `${a.description} What to do: README.md, Alarms, "${a.kind}".`,
        metric: a.metric,
        threshold: a.threshold,
        evaluationPeriods: a.evaluationPeriods ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      made.addAlarmAction(notify);
      made.addOkAction(notify);
      this.alarms.push(made);
      return made;
    };

    const deadLetterDepth = [...props.deadLetterQueues].map(([queueId, queue]) => {
      const metric = queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: queueId });
      alarm(this, `${queueId}Alarm`, { name: `dead-letters-${queueId}`, kind: 'dead-letters', description: `The ${queueId} queue holds a message: something failed for good.`, metric, threshold: 1 });
      return metric;
    });

    const iteratorAge = props.relay.lambda.metric('IteratorAge', { period, statistic: 'Maximum', label: 'relay iterator age (ms)' });
    alarm(this, 'RelayIteratorAgeAlarm', {
      name: 'relay-behind',
      kind: 'relay-behind',
      description: 'The stream relay (publish-events) is more than 5 minutes behind the table.',
      metric: iteratorAge,
      threshold: alarmThresholds.relayIteratorAgeMs,
      evaluationPeriods: 2,
    });

    const errors: IMetric[] = [];
    const throttles: IMetric[] = [];
    for (const [name, fn] of props.functions) {
      const fnErrors = fn.lambda.metricErrors({ period, statistic: 'Sum', label: name });
      errors.push(fnErrors);
      throttles.push(fn.lambda.metricThrottles({ period, statistic: 'Sum', label: name }));
      // In the function's own (nested) stack, beside it.
      alarm(fn, 'ErrorsAlarm', { name: `errors-${name}`, kind: 'errors', description: `The ${name} function failed (threw or timed out).`, metric: fnErrors, threshold: 1 });
    }
    // Throttling is the account's concurrency running out, shared by every function and stage of the account and region.
    const accountThrottles = new Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', period, statistic: 'Sum', label: 'all functions of the account' });
    alarm(this, 'ThrottlesAlarm', {
      name: 'throttles',
      kind: 'throttles',
      description: "Lambda throttled invocations: the account's concurrency (shared by every stage in the region) ran out.",
      metric: accountThrottles,
      threshold: 1,
    });

    const requests = props.api.metricCount({ period, statistic: 'Sum' });
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)',
      usingMetrics: { requests, serverErrors: props.api.metricServerError({ period, statistic: 'Sum' }) },
      period,
      label: 'API 5xx (% of requests)',
    });
    alarm(this, 'ApiServerErrorsAlarm', {
      name: 'api-5xx',
      kind: 'api-5xx',
      description: 'At least 1% of API requests got a 5xx for 10 minutes.',
      metric: serverErrorRate,
      threshold: alarmThresholds.apiServerErrorPercent,
      evaluationPeriods: 2,
    });

    const engineMetric = (metricName: string, statistic: string, label: string) =>
      new Metric({ namespace: 'Latchkey', metricName, dimensionsMap: { service: 'latchkey', stage }, period, statistic, label });
    const pollerLag = engineMetric('PollerLag', 'Maximum', 'poller lag (ms)');
    alarm(this, 'PollerLagAlarm', {
      name: 'poller-lag',
      kind: 'poller-lag',
      description: 'The poller took a due code 3 poll intervals (at least 5 minutes) late.',
      metric: pollerLag,
      threshold: pollerLagThresholdMs(config),
    });

    const backlog = props.webhookDeliveries.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'webhook deliveries waiting' });
    alarm(this, 'WebhookBacklogAlarm', {
      name: 'webhook-backlog',
      kind: 'webhook-backlog',
      description: `${alarmThresholds.webhookBacklog} or more webhook deliveries waited for 15 minutes.`,
      metric: backlog,
      threshold: alarmThresholds.webhookBacklog,
      evaluationPeriods: 3,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `latchkey-${stage}`, defaultInterval: Duration.days(1) });
    const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }));
    this.dashboard.addWidgets(
      graph('Codes set and failed', [engineMetric('CodesSet', 'Sum', 'set'), engineMetric('CodesFailed', 'Sum', 'failed')]),
      graph('Time to set (ms)', [engineMetric('TimeToSet', 'p50', 'p50'), engineMetric('TimeToSet', 'p90', 'p90'), engineMetric('TimeToSet', 'Maximum', 'max')]),
      graph('Poller lag (ms)', [pollerLag]),
    );
    this.dashboard.addWidgets(graph('API requests', [requests]), graph('API 5xx rate (%)', [serverErrorRate]), graph('Relay iterator age (ms)', [iteratorAge]));
    this.dashboard.addWidgets(graph('Dead letters', deadLetterDepth), graph('Webhook deliveries waiting', [backlog]), graph('Throttles (account)', [accountThrottles]));
    this.dashboard.addWidgets(graph('Function errors', errors, 12), graph('Function throttles', throttles, 12));
    // The engine's calls to each provider, the calls it held back at the provider's limits, and how long calls waited past their due time.
    const providerMetric = (metricName: string, provider: string, statistic = 'Sum', label = provider) =>
      new Metric({ namespace: 'Latchkey', metricName, dimensionsMap: { service: 'latchkey', stage, provider }, period, statistic, label });
    const providers = ['sandbox', 'seam', 'zwave'];
    this.dashboard.addWidgets(
      graph(
        'Provider calls',
        providers.map((p) => providerMetric('ProviderCalls', p)),
        12,
      ),
      graph(
        'Throttled waits (provider limit reached)',
        providers.map((p) => providerMetric('ThrottledWaits', p)),
        12,
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Queue age, p90 (ms past due when the call was made)',
        providers.map((p) => providerMetric('QueueAge', p, 'p90', `${p} p90`)),
        12,
      ),
      graph(
        'Queue age, max (ms)',
        providers.map((p) => providerMetric('QueueAge', p, 'Maximum', `${p} max`)),
        12,
      ),
    );
  }
}
