import { setMaxListeners } from 'node:events';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { WORKER_DEFAULTS } from '../infra/resources.js';
import { createLambdaContext } from './lambda-context.js';
import { LOCAL_REGION } from './local-aws-clients.js';
import { queueDepth } from './queue-depth.js';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface LambdaSqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** Records per invocation, 1..10 (default WORKER_DEFAULTS.batchSize). */
  batchSize?: number;
  /** Invocations running at once (Lambda's maximum concurrency for the event source). */
  maxConcurrency?: number;
  /** The fake function timeout: drives getRemainingTimeInMillis; a late invocation fails its batch. */
  timeoutMs?: number;
  memoryMb?: number;
  /** Long-poll wait per receive, 0..20 s. Short keeps stop() quick. */
  waitTimeSeconds?: number;
  functionName?: string;
  /** Called when polling itself fails (receive/delete); the poller keeps going. */
  onPollError?: (error: unknown) => void;
}

export interface PollerStats {
  invocations: number;
  records: number;
  /** Records that were not deleted: reported in batchItemFailures, or in a failed invocation. */
  failures: number;
  /** Invocations that threw (every record of the batch failed). */
  errors: number;
  /** Invocations that ran past the timeout (every record of the batch failed). */
  timeouts: number;
  deleted: number;
  /** Invocations running now. */
  inFlight: number;
}

/** The handler's batchItemFailures named a record that was not in the batch. */
export class InvalidBatchResponseError extends Error {
  override readonly name = 'InvalidBatchResponseError';
  constructor(readonly itemIdentifier: string) {
    super(`batchItemFailures names unknown itemIdentifier '${itemIdentifier}'; the whole batch fails`);
  }
}

class InvocationTimeoutError extends Error {
  override readonly name = 'InvocationTimeoutError';
}

/**
 * A local stand-in for Lambda's SQS event source mapping: long-polls the queue, invokes the handler
 * with batches of real-shaped SQS records, deletes what succeeded, and leaves failed records to
 * reappear after the visibility timeout (where the queue's redrive policy moves them to the DLQ
 * after maxReceiveCount receives, as in AWS).
 */
export class LambdaSqsPoller {
  private readonly options: Required<Omit<LambdaSqsPollerOptions, 'onPollError'>> &
    Pick<LambdaSqsPollerOptions, 'onPollError'>;
  private readonly counters: Omit<PollerStats, 'inFlight'> = {
    invocations: 0,
    records: 0,
    failures: 0,
    errors: 0,
    timeouts: 0,
    deleted: 0,
  };
  private inFlight = 0;
  private running = false;
  /** Cancels the long polls on stop(), so stopping does not wait out WaitTimeSeconds. */
  private polls = new AbortController();
  private loops: Promise<void>[] = [];
  private queueArn = '';
  /** Handlers that outlived their timeout still run (nothing can kill them); stop() waits for them. */
  private readonly lateHandlers = new Set<Promise<unknown>>();

  constructor(options: LambdaSqsPollerOptions) {
    this.options = {
      ...options,
      batchSize: Math.min(10, Math.max(1, options.batchSize ?? WORKER_DEFAULTS.batchSize)),
      maxConcurrency: Math.max(1, options.maxConcurrency ?? 4),
      timeoutMs: options.timeoutMs ?? WORKER_DEFAULTS.timeoutSeconds * 1000,
      memoryMb: options.memoryMb ?? WORKER_DEFAULTS.memoryMb,
      waitTimeSeconds: options.waitTimeSeconds ?? 1,
      functionName: options.functionName ?? 'exchange-sync-worker',
    };
  }

  stats(): PollerStats {
    return { ...this.counters, inFlight: this.inFlight };
  }

  async start(): Promise<void> {
    if (this.running) return;
    const attributes = await this.options.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.options.queueUrl, AttributeNames: ['QueueArn'] }),
    );
    this.queueArn = attributes.Attributes?.QueueArn ?? '';
    this.running = true;
    this.polls = new AbortController();
    // Every poll loop's receive listens on this one signal while it waits (the SDK removes its
    // listener when the receive ends): maxConcurrency listeners at most, not a leak, but past
    // Node's default of 10 it would print MaxListenersExceededWarning.
    setMaxListeners(this.options.maxConcurrency + 1, this.polls.signal);
    this.loops = Array.from({ length: this.options.maxConcurrency }, () => this.pollLoop());
  }

  /**
   * Stops receiving and waits until every running invocation has finished and been acknowledged.
   * A receive cancelled at that moment may still have taken messages on the server: they come
   * back after the visibility timeout, as when a consumer dies in AWS.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.polls.abort();
    await Promise.all(this.loops);
    this.loops = [];
    await Promise.allSettled([...this.lateHandlers]);
  }

  /**
   * Resolves when the queue holds no visible, delayed or in-flight message and no invocation runs.
   * Queues do not announce emptiness, so this polls the queue's counters.
   */
  async waitUntilQuiet(options: { pollIntervalMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const interval = options.pollIntervalMs ?? 50;
    for (;;) {
      options.signal?.throwIfAborted();
      if (this.inFlight === 0 && (await this.queueDepth()) === 0 && this.inFlight === 0) return;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /** Visible + in flight + delayed messages of the queue. */
  queueDepth(): Promise<number> {
    return queueDepth(this.options.client, this.options.queueUrl);
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      let messages: Message[];
      try {
        const received = await this.options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: this.options.batchSize,
            WaitTimeSeconds: this.options.waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.polls.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (!this.running) break;
        this.options.onPollError?.(error);
        // Back off a little so a dead endpoint does not turn into a busy loop.
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (messages.length > 0) await this.invoke(messages);
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const records = messages.map((message) => this.toRecord(message));
    this.inFlight++;
    this.counters.invocations++;
    this.counters.records += records.length;
    let failed: Set<string>;
    try {
      const response = await this.runHandler(records);
      failed = this.failedIds(records, response);
    } catch (error) {
      if (error instanceof InvocationTimeoutError) this.counters.timeouts++;
      else this.counters.errors++;
      failed = new Set(records.map((r) => r.messageId));
    } finally {
      this.inFlight--;
    }
    this.counters.failures += failed.size;
    const done = records.filter((r) => !failed.has(r.messageId));
    await this.deleteRecords(done);
  }

  private async runHandler(records: SQSRecord[]): Promise<SQSBatchResponse | undefined> {
    const context = createLambdaContext({
      functionName: this.options.functionName,
      timeoutMs: this.options.timeoutMs,
      memoryMb: this.options.memoryMb,
      region: LOCAL_REGION,
    });
    const invocation = this.options.handler({ Records: records }, context);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new InvocationTimeoutError(`invocation exceeded ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
    });
    try {
      return await Promise.race([invocation, timeout]);
    } catch (error) {
      if (error instanceof InvocationTimeoutError) {
        const late = invocation.catch(() => {}).finally(() => this.lateHandlers.delete(late));
        this.lateHandlers.add(late);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lambda semantics: no response = all succeeded; an unknown identifier fails the whole batch. */
  private failedIds(records: SQSRecord[], response: SQSBatchResponse | undefined): Set<string> {
    const ids = new Set(records.map((r) => r.messageId));
    const failed = new Set<string>();
    for (const failure of response?.batchItemFailures ?? []) {
      if (!ids.has(failure.itemIdentifier)) {
        this.options.onPollError?.(new InvalidBatchResponseError(failure.itemIdentifier));
        return ids;
      }
      failed.add(failure.itemIdentifier);
    }
    return failed;
  }

  private async deleteRecords(records: SQSRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      try {
        const result = await this.options.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
          }),
        );
        this.counters.deleted += result.Successful?.length ?? 0;
      } catch (error) {
        // Undeleted messages come back after the visibility timeout: at-least-once, as in AWS.
        this.options.onPollError?.(error);
      }
    }
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        dataType: value.DataType ?? 'String',
        stringValue: value.StringValue,
        binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
        stringListValues: [],
        binaryListValues: [],
      };
    }
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? '000000000000',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      },
      messageAttributes,
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: LOCAL_REGION,
    };
  }
}
