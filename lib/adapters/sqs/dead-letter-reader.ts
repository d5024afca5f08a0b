// The DeadLetterQueue port over SQS: what `dlq list` and `dlq redrive` read the sync queue's
// dead-letter queue with. Operator-only: no Lambda role may receive from or delete in the DLQ.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../../core/operator/dead-letter-ports.js';

/** The attributes SqsDeadLetterQueue.send puts on a message the worker moves itself. */
const ATTRIBUTES = ['reason', 'sourceMessageId'];
const BATCH_SIZE = 10;

export interface SqsDeadLetterReaderOptions {
  /**
   * Long polling of each read (0..20 s). Without it SQS samples a subset of its servers and may
   * answer "none" while messages wait; with it an empty answer means the queue has none visible.
   */
  waitSeconds?: number;
}

export class SqsDeadLetterReader implements DeadLetterQueue {
  private readonly waitSeconds: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsDeadLetterReaderOptions = {},
  ) {
    this.waitSeconds = options.waitSeconds ?? 1;
  }

  async receive(max: number, hideSeconds: number): Promise<DeadLetter[]> {
    const { Messages = [] } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: max,
        VisibilityTimeout: hideSeconds,
        WaitTimeSeconds: this.waitSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ATTRIBUTES,
      }),
    );
    return Messages.map(toDeadLetter);
  }

  async release(letters: readonly DeadLetter[]): Promise<void> {
    for (let i = 0; i < letters.length; i += BATCH_SIZE) {
      // Failed entries are not retried: a message whose release fails is visible again anyway
      // once its hide time ends, which is why reads hide messages only briefly.
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: letters.slice(i, i + BATCH_SIZE).map((letter, index) => ({
            Id: String(index),
            ReceiptHandle: letter.receipt,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  async delete(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: letter.receipt }),
    );
  }
}

function toDeadLetter(message: Message): DeadLetter {
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  const sentAt = Number(message.Attributes?.SentTimestamp);
  const reason = attribute('reason');
  const sourceMessageId = attribute('sourceMessageId');
  return {
    messageId: message.MessageId ?? '',
    receipt: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    ...(Number.isFinite(sentAt) && sentAt > 0 ? { sentAt } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(sourceMessageId !== undefined ? { sourceMessageId } : {}),
  };
}
