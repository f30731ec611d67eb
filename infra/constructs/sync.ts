/**
 * The pull side: per enabled provider one EventBridge Scheduler "due" schedule per shard of the due
 * index (`TABLE.dueShards`; each run reads only its shard's links, so a provider's links are planned in
 * parallel and one run stays well inside the scheduler's timeout), a daily "backfill" where the
 * provider can list, one SQS queue with its dead-letter queue, and one worker.
 *
 * One queue and one worker per provider, rather than one of each for all: the worker's concurrency
 * cap (the SQS event source's `maxConcurrency`) then is the provider's cap, a slow or failing
 * provider backs up only its own queue, its DLQ says which provider failed, and each worker can read
 * only its own provider's credentials.
 *
 * Queues use SQS-managed encryption (SSE-SQS), not the KMS key: a message holds only ids and a
 * reason (`{ customerId, provider, reason }`, no customer data), SSE-SQS still encrypts it at rest,
 * and it spares a KMS call per message batch and KMS grants for EventBridge Scheduler and Lambda's
 * async-failure destination.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { TABLE } from '../../lib/store/table.ts';
import {
  enabledProviders,
  intervalSeconds,
  perWorkerRateLimit,
  rateExpression,
  type StageConfig,
} from '../stages.ts';
import { CONDITIONAL_ITEM_WRITES, grantTable } from './access.ts';
import type { DataStore } from './data.ts';
import { apiSecretArnVar, baseUrlVar, rateLimitBurstVar, rateLimitRpsVar, syncQueueUrlVar } from './env.ts';
import { acknowledge } from './nag.ts';
import type { ProviderSecrets } from './secrets.ts';
import { ServiceFunction } from './service-function.ts';

/** Worker timeout; the queue's visibility timeout is six times this (AWS's advice for Lambda). */
const WORKER_TIMEOUT = Duration.seconds(60);
/** The scheduler's memory; benchmark 6 runs the planner under the heap limits Lambda derives from it. */
export const SCHEDULER_MEMORY_MB = 512;

export interface ProviderSync {
  queue: Queue;
  deadLetterQueue: Queue;
  worker: ServiceFunction;
  schedules: Schedule[];
}

export class SyncPipeline extends Construct {
  readonly byProvider: Partial<Record<ProviderName, ProviderSync>> = {};
  readonly scheduler: ServiceFunction;
  /** Failed schedule deliveries and scheduler runs that failed after Lambda's async retries. */
  readonly schedulerDeadLetterQueue: Queue;
  readonly scheduleGroup: ScheduleGroup;

  constructor(
    scope: Construct,
    id: string,
    props: { stage: StageConfig; data: DataStore; secrets: ProviderSecrets },
  ) {
    super(scope, id);
    const { stage, data, secrets } = props;
    const providers = enabledProviders(stage);
    const historyRetention = { HISTORY_RETENTION_DAYS: String(stage.historyRetentionDays) };

    this.schedulerDeadLetterQueue = new Queue(this, 'SchedulerDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDeadLetterQueue(this.schedulerDeadLetterQueue);
    acknowledge(
      this.schedulerDeadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: EventBridge Scheduler and the scheduler function (async on-failure destination) send here; it is alarmed, not consumed.',
    );

    for (const provider of providers) {
      const deadLetterQueue = new Queue(this, `${provider}SyncDlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeDeadLetterQueue(deadLetterQueue);
      const queue = new Queue(this, `${provider}SyncQueue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: stage.sync.dlqMaxReceiveCount },
      });
      const providerConfig = stage.providers[provider];
      const apiSecret = secrets.of(provider).api;
      const worker = new ServiceFunction(this, `${provider}Worker`, {
        name: 'sync-worker',
        description: `customer-sync ${stage.name}: refreshes ${provider} customers from the ${provider} sync queue`,
        memoryMb: 512,
        timeout: WORKER_TIMEOUT,
        stage,
        environment: {
          PROVIDER: provider,
          TABLE_NAME: data.table.tableName,
          ...historyRetention,
          [apiSecretArnVar(provider)]: apiSecret.secretArn,
          [baseUrlVar(provider)]: providerConfig.baseUrl,
          ...rateLimitVariables(stage, provider),
        },
      });
      worker.fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: stage.sync.workerBatchSize,
          maxBatchingWindow: Duration.seconds(1),
          reportBatchItemFailures: true,
          maxConcurrency: providerConfig.workerMaxConcurrency,
        }),
      );
      for (const mapping of worker.fn.node.children.filter((child) => child instanceof EventSourceMapping)) {
        acknowledge(
          mapping,
          'Serverless-LambdaEventSourceMappingDestination',
          'SQS event source mappings take no on-failure destination (only stream and Kafka sources do): a message that keeps failing moves to the queue’s dead-letter queue by its redrive policy.',
        );
      }
      apiSecret.grantRead(worker.fn);
      // Reads the customer (by key), writes snapshot, history and sync state with conditions
      // (TransactWriteItems: Put/Update/ConditionCheck), completes pending creates. No index.
      grantTable(worker.fn, {
        table: data.table,
        key: data.key,
        actions: CONDITIONAL_ITEM_WRITES,
      });
      acknowledge(
        worker.fn,
        'Serverless-LambdaDLQ',
        'Invoked by the SQS event source, never asynchronously: failed messages go to the sync queue’s own dead-letter queue through its redrive policy (maxReceiveCount).',
      );
      this.byProvider[provider] = { queue, deadLetterQueue, worker, schedules: [] };
    }

    const backfillProviders = providers.filter((provider) => stage.providers[provider].backfillEvery);
    this.scheduler = new ServiceFunction(this, 'Scheduler', {
      name: 'sync-scheduler',
      description: `customer-sync ${stage.name}: enqueues due customers per provider; daily backfill where the provider lists`,
      memoryMb: SCHEDULER_MEMORY_MB,
      timeout: Duration.minutes(5),
      stage,
      environment: {
        TABLE_NAME: data.table.tableName,
        ...historyRetention,
        ENABLED_PROVIDERS: providers.join(','),
        ...Object.fromEntries(
          providers.map((provider) => [syncQueueUrlVar(provider), this.of(provider).queue.queueUrl]),
        ),
        // Backfill lists customers at the provider, so only those providers' credentials.
        ...Object.fromEntries(
          backfillProviders.flatMap((provider) => [
            [apiSecretArnVar(provider), secrets.of(provider).api.secretArn],
            [baseUrlVar(provider), stage.providers[provider].baseUrl],
          ]),
        ),
        ...Object.assign({}, ...backfillProviders.map((provider) => rateLimitVariables(stage, provider))),
      },
    });
    this.scheduler.fn.configureAsyncInvoke({
      // A due run that failed twice is superseded by the next scheduled run; keep the record.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.schedulerDeadLetterQueue),
    });
    acknowledge(
      this.scheduler.fn,
      'Serverless-LambdaDLQ',
      'Async failures go to the on-failure destination (the scheduler DLQ), which records the error and the request; a DeadLetterConfig as well would deliver each failure twice.',
    );
    for (const provider of providers) {
      this.of(provider).queue.grantSendMessages(this.scheduler.fn);
    }
    for (const provider of backfillProviders) {
      secrets.of(provider).api.grantRead(this.scheduler.fn);
    }
    // Pages the due-for-sync index and batch-reads the due times of each page's sync states. Backfill
    // looks customers up by provider id and reference and imports unknown ones with conditional
    // transactions (createCustomer, linkProvider, writeSnapshot), so an import never overwrites; without
    // backfill providers it only reads.
    grantTable(this.scheduler.fn, {
      table: data.table,
      key: data.key,
      actions:
        backfillProviders.length > 0
          ? [
              'dynamodb:GetItem',
              'dynamodb:BatchGetItem',
              'dynamodb:Query',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:ConditionCheckItem',
            ]
          : ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      indexes: [
        TABLE.indexes.dueForSync.name,
        ...(backfillProviders.length > 0
          ? [TABLE.indexes.byProviderId.name, TABLE.indexes.byReference.name]
          : []),
      ],
    });

    // One role for every schedule: it may invoke the scheduler function and send to the scheduler DLQ.
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `customer-sync ${stage.name}: EventBridge Scheduler invoking the sync scheduler`,
    });
    const schedulerResource = this.scheduler.fn.node.defaultChild;
    if (!(schedulerResource instanceof CfnFunction)) throw new Error('scheduler function has no CfnFunction');
    acknowledge(
      scheduleRole,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(schedulerResource)}.Arn>:*]`,
      'lambda:InvokeFunction on the scheduler function and its versions/aliases (ARN suffix :*), as CDK grants it; no other function.',
    );
    this.scheduleGroup = new ScheduleGroup(this, 'Schedules', {
      scheduleGroupName: `customer-sync-${stage.name}`,
    });
    for (const provider of providers) {
      const providerConfig = stage.providers[provider];
      const target = (input: { mode: 'due'; shard: number } | { mode: 'backfill' }) =>
        new LambdaInvoke(this.scheduler.fn, {
          role: scheduleRole,
          input: ScheduleTargetInput.fromObject({ provider, ...input }),
          retryAttempts: stage.sync.scheduleRetryAttempts,
          // Older than one interval, a due run is superseded by the next one.
          maxEventAge:
            input.mode === 'due'
              ? Duration.seconds(Math.max(60, intervalSeconds(providerConfig.syncEvery)))
              : Duration.hours(1),
          deadLetterQueue: this.schedulerDeadLetterQueue,
        });
      const schedules = Array.from(
        { length: TABLE.dueShards },
        (_, shard) =>
          new Schedule(this, `${provider}DueShard${shard}`, {
            scheduleGroup: this.scheduleGroup,
            description: `Enqueue ${provider} customers due for sync (due-index shard ${shard})`,
            schedule: ScheduleExpression.expression(rateExpression(providerConfig.syncEvery)),
            target: target({ mode: 'due', shard }),
            timeWindow: TimeWindow.off(),
          }),
      );
      if (providerConfig.backfillEvery) {
        schedules.push(
          new Schedule(this, `${provider}Backfill`, {
            scheduleGroup: this.scheduleGroup,
            description: `List every ${provider} customer and import unknown ones`,
            schedule: ScheduleExpression.expression(rateExpression(providerConfig.backfillEvery)),
            target: target({ mode: 'backfill' }),
            // Backfills of different providers need not start at the same second.
            timeWindow: TimeWindow.flexible(Duration.hours(1)),
          }),
        );
      }
      this.of(provider).schedules.push(...schedules);
    }
  }

  of(provider: ProviderName): ProviderSync {
    const sync = this.byProvider[provider];
    if (!sync) throw new Error(`No sync pipeline for ${provider}: it is not enabled in this stage`);
    return sync;
  }
}

function acknowledgeDeadLetterQueue(queue: Queue): void {
  acknowledge(
    queue,
    'Serverless-SQSRedrivePolicy',
    'This queue is a dead-letter queue: its messages are inspected and redriven by an operator (docs/deploy.md); a dead-letter queue of its own would only move them again.',
  );
}

/**
 * The provider's rate limit for one process: the token bucket lives per Lambda instance, so each gets
 * the stage-wide budget divided by the worker's concurrency cap (infra/stages.ts).
 */
export function rateLimitVariables(stage: StageConfig, provider: ProviderName): Record<string, string> {
  const share = perWorkerRateLimit(stage.providers[provider]);
  return {
    [rateLimitRpsVar(provider)]: String(share.requestsPerSecond),
    [rateLimitBurstVar(provider)]: String(share.burst),
  };
}
