// Test fake of WorkQueue: records what was sent; a test can make sends fail.
import type { Enqueue, SyncJob, WorkQueue } from '../ports.js';

export class InMemoryWorkQueue implements WorkQueue {
  readonly sent: Enqueue[] = [];
  /** Throw from the next send calls (simulates SQS failures). */
  failures = 0;

  async send(entries: Enqueue[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('queue send failed');
    }
    for (const entry of entries) {
      if (entry.delaySeconds !== undefined && (entry.delaySeconds < 0 || entry.delaySeconds > 900)) {
        throw new Error(`delay out of range: ${entry.delaySeconds}`);
      }
      this.sent.push(structuredClone(entry));
    }
  }

  /** Removes and returns everything sent so far. */
  drain(): Enqueue[] {
    return this.sent.splice(0, this.sent.length);
  }

  jobs(): SyncJob[] {
    return this.sent.map((e) => e.job);
  }
}
