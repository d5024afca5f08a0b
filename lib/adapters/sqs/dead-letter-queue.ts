// Moves a message that can never succeed (it is not a valid job) straight to the DLQ with the
// reason attached, instead of letting it be received maxReceiveCount times first.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface DeadLetter {
  body: string;
  /** Why it was dead-lettered: shown to whoever inspects or redrives the DLQ. */
  reason: string;
  /** The original message id, for correlation with the logs. */
  sourceMessageId: string;
}

export class SqsDeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: letter.body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: letter.reason.slice(0, 1000) },
          sourceMessageId: { DataType: 'String', StringValue: letter.sourceMessageId },
        },
      }),
    );
  }
}
