// What inspecting and redriving the sync queue's dead letters needs: reading them without
// consuming them, and deleting one once it is dealt with. Only operators call this (dlq list,
// dlq redrive); the worker only ever adds dead letters.

/** A message of the dead-letter queue as one read returned it (hidden from other reads meanwhile). */
export interface DeadLetter {
  /** The message id. SQS keeps it when it moves a message from the sync queue after its retries. */
  messageId: string;
  /** Handle of this read: what `release` and `delete` act on. */
  receipt: string;
  body: string;
  /** Times received so far: the sync queue's retries plus every read of the dead-letter queue. */
  receiveCount: number;
  /** When the message was first sent (epoch ms), if the queue says. */
  sentAt?: number;
  /**
   * Why it is here, when the worker moved it itself (an invalid job: the `reason` attribute).
   * Absent when the queue moved it after its last retry: the queue records no reason.
   */
  reason?: string;
  /** The sync queue's message id of a message the worker moved (its copy has a new id). */
  sourceMessageId?: string;
}

export interface DeadLetterQueue {
  /**
   * Up to `max` (1..10) visible messages, hidden from other reads for `hideSeconds` and then
   * visible again by themselves: reading never consumes. An empty array means none is visible.
   */
  receive(max: number, hideSeconds: number): Promise<DeadLetter[]>;
  /** Makes the messages of these reads visible again at once. */
  release(letters: readonly DeadLetter[]): Promise<void>;
  /** Deletes the message of this read for good. */
  delete(letter: DeadLetter): Promise<void>;
}
