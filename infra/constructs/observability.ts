/**
 * Alarms, the topic they notify and one dashboard. Every alarm is named
 * `customer-sync-<stage>-<what>` and its description says what to do; docs/deploy.md explains each.
 *
 * Custom metrics (Powertools EMF, namespace `CustomerSync`) carry the dimensions `service` (the
 * function's POWERTOOLS_SERVICE_NAME) and `provider`: the scheduler emits `OldestOverdueSeconds` on
 * every due run (0 when nothing is overdue); the worker emits `CustomersSynced`, `CustomersChanged`
 * and `SyncFailures`. The dashboard finds the latter with SEARCH, so it does not depend on which
 * function emits them.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { enabledProviders, intervalSeconds, type StageConfig } from '../stages.ts';
import type { Api } from './api.ts';
import { acknowledge } from './nag.ts';
import { METRICS_NAMESPACE, type ServiceFunction } from './service-function.ts';
import type { SyncPipeline } from './sync.ts';

const FIVE_MINUTES = Duration.minutes(5);

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(
    scope: Construct,
    id: string,
    props: {
      stage: StageConfig;
      sync: SyncPipeline;
      api: Api;
      apiFunctions: ServiceFunction[];
      alarmEmail: string | null;
    },
  ) {
    super(scope, id);
    const { stage, sync, api } = props;
    const providers = enabledProviders(stage);
    const removalPolicy = stage.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const key = new Key(this, 'AlarmTopicKey', {
      description: `customer-sync ${stage.name}: encrypts the alarm topic`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch alarms publish to the encrypted topic only if the key lets CloudWatch use it.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `customer-sync ${stage.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      const undelivered = new Queue(this, 'AlarmEmailDlq', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        undelivered,
        'AwsSolutions-SQS3',
        'This queue is itself the dead-letter queue of the alarm email subscription (SNS redrive policy).',
      );
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
    }
    const action = new SnsAction(this.topic);
    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      options: { evaluationPeriods?: number; treatMissingData?: TreatMissingData } = {},
    ): Alarm => {
      const created = new Alarm(this, name, {
        alarmName: `customer-sync-${stage.name}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const provider of providers) {
      const { deadLetterQueue, worker } = sync.of(provider);
      alarm(
        `${provider}-sync-dlq`,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        stage.alarms.dlqDepth,
        `${provider} sync messages failed ${stage.sync.dlqMaxReceiveCount} times and are in the DLQ. Read the worker logs for those customerIds, fix the cause, then redrive the DLQ (docs/deploy.md#alarms).`,
      );
      alarm(
        `${provider}-worker-errors`,
        worker.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        stage.alarms.functionErrors,
        `The ${provider} sync worker failed whole invocations (not single messages). Check its logs and traces for crashes, timeouts or bad configuration (docs/deploy.md#alarms).`,
      );
      // Period at least one scheduling interval, so every period holds a run: no data means the
      // scheduler stopped emitting, which is itself a failure.
      const stalenessPeriod = Duration.seconds(
        Math.max(300, Math.ceil(intervalSeconds(stage.providers[provider].syncEvery) / 60) * 60),
      );
      alarm(
        `${provider}-sync-stale`,
        staleness(provider, stalenessPeriod),
        stage.alarms.syncStalenessSeconds,
        `The oldest ${provider} customer overdue for sync waited longer than ${stage.alarms.syncStalenessSeconds} s (or the scheduler stopped reporting). Check the ${provider} queue age, worker errors and the provider status (docs/deploy.md#alarms).`,
        { evaluationPeriods: 2, treatMissingData: TreatMissingData.BREACHING },
      );
      // A due run that runs out of time leaves the rest of its shard for the next run; a shard that
      // truncates run after run would never reach its last links, so three periods in a row alarm.
      alarm(
        `${provider}-scheduler-truncated`,
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'SchedulerRunsTruncated',
          dimensionsMap: { service: 'sync-scheduler', provider },
          statistic: 'Maximum',
          period: stalenessPeriod,
        }),
        1,
        `A ${provider} due run of a shard stopped at its time budget before reaching the end of its shard, in three periods in a row: the last links of a shard may not be planned. Raise the scheduler's timeout or memory, or add due-index shards (docs/deploy.md#alarms).`,
        { evaluationPeriods: 3, treatMissingData: TreatMissingData.NOT_BREACHING },
      );
    }
    alarm(
      'scheduler-failures',
      sync.schedulerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
      stage.alarms.schedulerFailures,
      'A schedule could not invoke the scheduler, or a scheduler run failed after its retries: the message in the scheduler DLQ says which. Fix, then purge or redrive (docs/deploy.md#alarms).',
    );
    alarm(
      'scheduler-errors',
      sync.scheduler.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      stage.alarms.functionErrors,
      'Scheduler runs are failing (they are retried twice, then go to the scheduler DLQ). Check the sync-scheduler logs (docs/deploy.md#alarms).',
    );
    const apiStage = api.api.deploymentStage;
    alarm(
      'api-5xx',
      apiStage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      stage.alarms.api5xxPer5Minutes,
      'The API answered 5xx. Check the access logs (integrationStatus) and the read-api/create-customer/provider-webhook logs (docs/deploy.md#alarms).',
    );
    alarm(
      'api-latency-p99',
      apiStage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      stage.alarms.apiLatencyP99Ms,
      'API p99 latency is high for 10 minutes. Compare integration latency with provider latency in X-Ray; POST /customers waits on providers (docs/deploy.md#alarms).',
      { evaluationPeriods: 2 },
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `customer-sync-${stage.name}`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# customer-sync ${stage.name}\nSync health per provider, queues and the API. Alarms are explained in docs/deploy.md.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [
          apiStage.metricCount({ period: FIVE_MINUTES }),
          apiStage.metricClientError({ period: FIVE_MINUTES }),
          apiStage.metricServerError({ period: FIVE_MINUTES }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [
          apiStage.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
          apiStage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
          apiStage.metricIntegrationLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'API function errors',
        left: props.apiFunctions.map((fn) => fn.fn.metricErrors({ period: FIVE_MINUTES, label: fn.node.id })),
        width: 8,
      }),
    );
    for (const provider of providers) {
      const { queue, deadLetterQueue, worker } = sync.of(provider);
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `${provider}: customers synced / changed / failed`,
          left: [
            search('CustomersSynced', provider),
            search('CustomersChanged', provider),
            search('SyncFailures', provider),
          ],
          width: 6,
        }),
        new GraphWidget({
          title: `${provider}: oldest overdue (s)`,
          left: [staleness(provider, FIVE_MINUTES)],
          leftAnnotations: [{ value: stage.alarms.syncStalenessSeconds, label: 'alarm' }],
          width: 6,
        }),
        new GraphWidget({
          title: `${provider}: queue age (s) and depth`,
          left: [queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' })],
          right: [
            queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
          ],
          width: 6,
        }),
        new GraphWidget({
          title: `${provider}: DLQ depth, worker errors and throttles`,
          left: [
            deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: FIVE_MINUTES,
              statistic: 'Maximum',
              label: 'DLQ messages',
            }),
          ],
          right: [
            worker.fn.metricErrors({ period: FIVE_MINUTES }),
            worker.fn.metricThrottles({ period: FIVE_MINUTES }),
          ],
          width: 6,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Scheduler runs and errors',
        left: [
          sync.scheduler.fn.metricInvocations({ period: FIVE_MINUTES }),
          sync.scheduler.fn.metricErrors({ period: FIVE_MINUTES }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Scheduler DLQ depth',
        left: [
          sync.schedulerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
          }),
        ],
        width: 12,
      }),
    );
  }
}

/**
 * `OldestOverdueSeconds` as the scheduler emits it (Powertools adds the `service` dimension). No
 * label: a labelled metric would turn the alarm into a metric-math alarm.
 */
function staleness(provider: ProviderName, period: Duration): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: 'OldestOverdueSeconds',
    dimensionsMap: { service: 'sync-scheduler', provider },
    statistic: 'Maximum',
    period,
  });
}

function search(metricName: string, provider: ProviderName): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},provider,service} MetricName="${metricName}" provider="${provider}"', 'Sum', 300)`,
    label: metricName,
    period: FIVE_MINUTES,
    usingMetrics: {},
  });
}
