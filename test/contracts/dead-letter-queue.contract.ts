// The DeadLetterQueue contract (lib/core/operator/dead-letter-ports.ts) over every implementation:
// the in-memory fake the core's unit tests use and the SQS reader on fauxqs. Reading must never
// consume: what a read hides comes back when released or when its hide time ends.
import { describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterQueue } from '../../lib/core/operator/dead-letter-ports.js';

export interface DeadLetterFixture {
  queue: DeadLetterQueue;
  /** A message the queue moved after its retries (no attributes). */
  putMoved(body: string): Promise<void>;
  /** A message the worker moved itself, with its reason (SqsDeadLetterQueue.send). */
  putInvalid(body: string, reason: string, sourceMessageId: string): Promise<void>;
  /** Returns once a hide time of `seconds` has run out. */
  waitPast(seconds: number): Promise<void>;
}

/** Reads until `count` messages came back or a read brings none (the reader long-polls). */
async function readAll(queue: DeadLetterQueue, count: number, hideSeconds = 60): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (let reads = 0; letters.length < count && reads < 20; reads++) {
    const batch = await queue.receive(10, hideSeconds);
    if (batch.length === 0) break;
    letters.push(...batch);
  }
  return letters;
}

const bodies = (letters: DeadLetter[]) => letters.map((l) => l.body).sort();

export function deadLetterQueueContract(name: string, make: () => Promise<DeadLetterFixture>): void {
  describe(`DeadLetterQueue contract: ${name}`, () => {
    it('reads nothing from an empty queue', async () => {
      const { queue } = await make();
      expect(await queue.receive(10, 30)).toEqual([]);
    });

    it('hides what it read until released, counting each read, and keeps every message', async () => {
      const { queue, putMoved } = await make();
      const before = Date.now();
      for (const body of ['a', 'b', 'c']) await putMoved(body);
      const first = await readAll(queue, 3);
      expect(bodies(first)).toEqual(['a', 'b', 'c']);
      expect(new Set(first.map((l) => l.messageId)).size).toBe(3);
      for (const letter of first) {
        expect(letter.receiveCount).toBe(1);
        expect(letter.reason).toBeUndefined();
        expect(letter.sentAt).toBeGreaterThanOrEqual(before - 1000);
      }
      expect(await queue.receive(10, 30)).toEqual([]);

      await queue.release(first);
      const again = await readAll(queue, 3);
      expect(bodies(again)).toEqual(['a', 'b', 'c']);
      expect(again.map((l) => l.receiveCount)).toEqual([2, 2, 2]);
      // Same messages, new reads.
      expect(again.map((l) => l.messageId).sort()).toEqual(first.map((l) => l.messageId).sort());
      expect(again.map((l) => l.receipt)).not.toEqual(expect.arrayContaining([first[0]!.receipt]));
    });

    it('deletes only the message it is told to', async () => {
      const { queue, putMoved } = await make();
      for (const body of ['a', 'b', 'c']) await putMoved(body);
      const read = await readAll(queue, 3);
      const b = read.find((l) => l.body === 'b')!;
      await queue.delete(b);
      await queue.release(read.filter((l) => l !== b));
      expect(bodies(await readAll(queue, 3))).toEqual(['a', 'c']);
    });

    it('returns at most the number asked for per read', async () => {
      const { queue, putMoved } = await make();
      for (let i = 0; i < 12; i++) await putMoved(`m${String(i).padStart(2, '0')}`);
      const one = await queue.receive(1, 60);
      expect(one).toHaveLength(1);
      const rest = await readAll(queue, 11);
      for (const letter of rest) expect(letter.messageId).not.toBe(one[0]!.messageId);
      expect(bodies([...one, ...rest])).toHaveLength(12);
    });

    it('carries the reason and source message id of a message the worker moved', async () => {
      const { queue, putInvalid } = await make();
      await putInvalid('{"v":2}', 'v: Invalid input', 'source-1');
      const [letter] = await readAll(queue, 1);
      expect(letter).toMatchObject({
        body: '{"v":2}',
        reason: 'v: Invalid input',
        sourceMessageId: 'source-1',
      });
    });

    it('gives a message back by itself when its hide time ends; an older read acts on nothing', async () => {
      const { queue, putMoved, waitPast } = await make();
      await putMoved('a');
      const [old] = await queue.receive(1, 1);
      expect(old).toBeDefined();
      await waitPast(1);
      let again: DeadLetter[] = [];
      for (let reads = 0; again.length === 0 && reads < 10; reads++) again = await queue.receive(1, 60);
      expect(again.map((l) => [l.messageId, l.receiveCount])).toEqual([[old!.messageId, 2]]);
      // The first read's receipt no longer deletes or releases the message.
      await queue.delete(old!);
      await queue.release([old!]);
      expect(await queue.receive(10, 60)).toEqual([]);
      await queue.release(again);
      expect(bodies(await readAll(queue, 1))).toEqual(['a']);
    });
  });
}
