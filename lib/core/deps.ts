import type { CoreConfig } from './config.js';
import type {
  Clock,
  CursorStore,
  ItemMirror,
  MailboxRegistry,
  MailSource,
  Random,
  WorkQueue,
} from './ports.js';

/** Everything a use case needs; handlers build it once per container. */
export interface CoreDeps {
  mailSource: MailSource;
  registry: MailboxRegistry;
  cursors: CursorStore;
  mirror: ItemMirror;
  queue: WorkQueue;
  clock: Clock;
  random: Random;
  config: CoreConfig;
}

/** What the handler knows about the invocation running a page. */
export interface PageContext {
  /** Identifies the invocation (e.g. the Lambda request id); leases and slots are held in its name. */
  owner: string;
  /** Milliseconds left before the invocation is killed. */
  remainingMs(): number;
  /** Aborted when the invocation is about to run out of time. */
  signal?: AbortSignal;
}
