// Test fake of DeadLetterQueue with SQS's visibility rules on a given clock: a read hides what it
// returns for its hide time, counts a receive and issues a new receipt; only the newest receipt
// of a message releases or deletes it. Held to SqsDeadLetterReader by test/contracts.
import type { DeadLetter, DeadLetterQueue } from '../operator/dead-letter-ports.js';
import type { Clock } from '../ports.js';

interface Stored {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
  reason?: string;
  sourceMessageId?: string;
}

export class InMemoryDeadLetterQueue implements DeadLetterQueue {
  private readonly stored: Stored[] = [];
  private sequence = 0;

  constructor(private readonly clock: Clock = { now: Date.now }) {}

  /** Adds a dead letter, as the queue or the worker would; returns its message id. */
  put(
    body: string,
    attributes: { reason?: string; sourceMessageId?: string; receiveCount?: number } = {},
  ): string {
    const messageId = `dead-${++this.sequence}`;
    const { receiveCount = 0, ...rest } = attributes;
    this.stored.push({ messageId, body, sentAt: this.clock.now(), receiveCount, visibleAt: 0, ...rest });
    return messageId;
  }

  /** Every message still in the queue, visible or not. */
  peek(): { messageId: string; body: string; visible: boolean }[] {
    const now = this.clock.now();
    return this.stored.map((s) => ({ messageId: s.messageId, body: s.body, visible: s.visibleAt <= now }));
  }

  async receive(max: number, hideSeconds: number): Promise<DeadLetter[]> {
    if (max < 1 || max > 10) throw new Error(`MaxNumberOfMessages out of range: ${max}`);
    const now = this.clock.now();
    const letters: DeadLetter[] = [];
    for (const s of this.stored) {
      if (letters.length === max) break;
      if (s.visibleAt > now) continue;
      s.receiveCount++;
      s.visibleAt = now + hideSeconds * 1000;
      s.receipt = `${s.messageId}@${++this.sequence}`;
      letters.push({
        messageId: s.messageId,
        receipt: s.receipt,
        body: s.body,
        receiveCount: s.receiveCount,
        sentAt: s.sentAt,
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
        ...(s.sourceMessageId !== undefined ? { sourceMessageId: s.sourceMessageId } : {}),
      });
    }
    return letters;
  }

  async release(letters: readonly DeadLetter[]): Promise<void> {
    const now = this.clock.now();
    for (const letter of letters) {
      const s = this.current(letter);
      if (s) s.visibleAt = now;
    }
  }

  async delete(letter: DeadLetter): Promise<void> {
    const s = this.current(letter);
    if (s) this.stored.splice(this.stored.indexOf(s), 1);
  }

  /** The message this receipt is the newest read of (an older receipt acts on nothing). */
  private current(letter: DeadLetter): Stored | undefined {
    return this.stored.find((s) => s.messageId === letter.messageId && s.receipt === letter.receipt);
  }
}
