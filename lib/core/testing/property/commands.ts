// The moves of the protocol property test (lib/core/sync.property.test.ts): what the schedule may
// do next. Sizes come from the environment so that a nightly run can go much further than CI.
import fc from 'fast-check';

export interface PropertySizes {
  mailboxes: number;
  /** Folders of the first mailbox; the others get half (at least one). */
  folders: number;
  itemsPerFolder: number;
  /** Most commands in one schedule. */
  commands: number;
  /** The engine's `pagesPerInvocation`: pages of a chain one invocation may run in a row. */
  pagesPerInvocation: number;
}

const fromEnv = (name: string, fallback: number) => {
  const value = process.env[name];
  return value === undefined ? fallback : Math.max(1, Number(value));
};

/**
 * CI-sized by default; FC_MAILBOXES, FC_FOLDERS, FC_ITEMS, FC_COMMANDS make it bigger.
 * FC_PAGES_PER_INVOCATION runs several pages of a chain per invocation.
 */
export function propertySizes(): PropertySizes {
  return {
    mailboxes: fromEnv('FC_MAILBOXES', 2),
    folders: fromEnv('FC_FOLDERS', 4),
    itemsPerFolder: fromEnv('FC_ITEMS', 3),
    commands: fromEnv('FC_COMMANDS', 150),
    pagesPerInvocation: fromEnv('FC_PAGES_PER_INVOCATION', 1),
  };
}

/** What happens to an invocation at its `at`-th port call, before or after the call. */
export interface Stop {
  at: number;
  after: boolean;
  /** killed: the environment dies. frozen: the page waits, pending, until a `thaw`. */
  mode: 'killed' | 'frozen';
}

export type ServerOp = 'syncItems' | 'syncHierarchy' | 'resolve';

export type Command =
  | { k: 'deliver'; pick: number; batch: number; copies: 1 | 2; redeliverLater: boolean; stop?: Stop }
  | { k: 'step'; n: number }
  | {
      k: 'mutate';
      op: 'create' | 'update' | 'read' | 'unread' | 'delete' | 'move';
      mailbox: number;
      folder: number;
      item: number;
    }
  | { k: 'folder'; op: 'create' | 'rename' | 'delete'; mailbox: number; pick: number }
  /** The mailbox's filter leaves out (or takes back) every folder but the inbox. */
  | { k: 'filter'; mailbox: number; narrow: boolean }
  | { k: 'advance'; ms: number }
  | { k: 'tick' }
  /** A frozen page goes on: its environment runs a later invocation. */
  | { k: 'thaw'; pick: number }
  | {
      k: 'fault';
      kind: 'throttled' | 'transient' | 'invalidSyncState' | 'protocol';
      op: ServerOp;
      retryAfterMs: number;
    };

const nat = fc.nat({ max: 1000 });
const stop: fc.Arbitrary<Stop> = fc.record({
  at: fc.nat({ max: 14 }),
  after: fc.boolean(),
  mode: fc.constantFrom('killed' as const, 'frozen' as const, 'frozen' as const),
});

export const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        k: fc.constant('deliver' as const),
        pick: nat,
        batch: fc.integer({ min: 1, max: 5 }),
        copies: fc.constantFrom(1 as const, 1 as const, 1 as const, 2 as const),
        redeliverLater: fc.constantFrom(false, false, false, false, false, true),
        stop: fc.option(stop, { freq: 3, nil: undefined }),
      },
      { requiredKeys: ['k', 'pick', 'batch', 'copies', 'redeliverLater'] },
    ),
  },
  {
    weight: 12,
    arbitrary: fc.record({ k: fc.constant('step' as const), n: fc.integer({ min: 1, max: 30 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('mutate' as const),
      op: fc.constantFrom(
        'create' as const,
        'create' as const,
        'update' as const,
        'read' as const,
        'unread' as const,
        'delete' as const,
        'move' as const,
      ),
      mailbox: nat,
      folder: nat,
      item: nat,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('folder' as const),
      op: fc.constantFrom('create' as const, 'rename' as const, 'delete' as const, 'delete' as const),
      mailbox: nat,
      pick: nat,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('advance' as const),
      ms: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
        fc.integer({ min: 0, max: 200_000 }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('tick' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('filter' as const), mailbox: nat, narrow: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('thaw' as const), pick: nat }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('fault' as const),
      kind: fc.constantFrom(
        'throttled' as const,
        'throttled' as const,
        'transient' as const,
        'invalidSyncState' as const,
        'protocol' as const,
      ),
      op: fc.constantFrom(
        'syncItems' as const,
        'syncItems' as const,
        'syncHierarchy' as const,
        'resolve' as const,
      ),
      // Exchange asks for anything from a second to minutes.
      retryAfterMs: fc.oneof(
        fc.integer({ min: 500, max: 10_000 }),
        fc.integer({ min: 10_000, max: 300_000 }),
      ),
    }),
  },
);
