// The DeadLetterQueue contract over the in-memory fake and the SQS reader on fauxqs (a fresh
// queue per test), the fake's messages put as the worker and SQS put them.
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueue } from '../../lib/adapters/sqs/dead-letter-queue.js';
import { SqsDeadLetterReader } from '../../lib/adapters/sqs/dead-letter-reader.js';
import { InMemoryDeadLetterQueue } from '../../lib/core/testing/in-memory-dead-letters.js';
import { ManualClock } from '../../lib/core/testing/random.js';
import { useSqsEmulator } from '../support/local-aws.js';
import { deadLetterQueueContract } from './dead-letter-queue.contract.js';

const sqs = useSqsEmulator();

deadLetterQueueContract('InMemoryDeadLetterQueue', async () => {
  const clock = new ManualClock(Date.now());
  const queue = new InMemoryDeadLetterQueue(clock);
  return {
    queue,
    putMoved: async (body) => void queue.put(body),
    putInvalid: async (body, reason, sourceMessageId) => void queue.put(body, { reason, sourceMessageId }),
    waitPast: async (seconds) => clock.advance(seconds * 1000 + 1),
  };
});

deadLetterQueueContract('SqsDeadLetterReader on fauxqs', async () => {
  const { deadLetterQueueUrl: url } = await sqs.queues();
  const client = sqs.clients.sqs;
  return {
    queue: new SqsDeadLetterReader(client, url),
    putMoved: async (body) =>
      void (await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))),
    putInvalid: (body, reason, sourceMessageId) =>
      new SqsDeadLetterQueue(client, url).send({ body, reason, sourceMessageId }),
    // Visibility is kept in whole seconds; the reads after this poll in any case.
    waitPast: (seconds) => sleep(seconds * 1000 + 200),
  };
});
