// The reaction policy as a table: every error kind, at attempts below, at and past the limit,
// from the call (clean) and after the item writes began (dirty). Each row is one decision the
// page skeleton makes; the unit tests of the use cases show each one carried out.
import { describe, expect, it } from 'vitest';
import { coreConfig } from '../config.js';
import { MailSourceError, type MailSourceErrorKind } from '../errors.js';
import { type PageFacts, type Reaction, reactionTo, toPageError } from './reaction-policy.js';
import { MAX_SERVER_TEXT } from './throttle.js';

const MAX = 4;
const config = coreConfig({ transientRetry: { baseMs: 1_000, capMs: 60_000, maxAttempts: MAX } });

const KINDS: MailSourceErrorKind[] = [
  'throttled',
  'transient',
  'protocol',
  'invalidSyncState',
  'folderNotFound',
  'auth',
  'permanent',
];
/** The job's `attempt`: a first try (absent), the one before the last, the last, and past it. */
const ATTEMPTS = [undefined, MAX - 2, MAX - 1, MAX + 3];

const PAUSE = { pauseMs: 31_000 };
const PAUSE_TOO_LONG = { pauseMs: 905_000, parkedReason: 'ThrottledTooLong: ...' };

type Row = [kind: MailSourceErrorKind, attempt: number | undefined, facts: PageFacts, expected: Reaction];

/** What a failed server call leads to (nothing written yet). */
function clean(kind: MailSourceErrorKind, attempt: number | undefined): Row[] {
  const next = (attempt ?? 0) + 1;
  const facts = { dirty: false };
  switch (kind) {
    case 'throttled':
      // The same attempt comes back after the pause: a throttle is not the page's failure.
      return [
        [kind, attempt, { ...facts, pause: PAUSE }, { do: 'throttle', pauseMs: 31_000 }],
        [kind, attempt, { ...facts, pause: PAUSE_TOO_LONG }, { do: 'park', byThrottle: true }],
      ];
    case 'transient':
    case 'protocol':
      return [
        [
          kind,
          attempt,
          facts,
          next >= MAX
            ? { do: 'stop', reason: 'RetriesExhausted' }
            : { do: 'retry', attempt: next, dirty: false },
        ],
      ];
    case 'invalidSyncState':
      return [[kind, attempt, facts, { do: 'resync' }]];
    case 'folderNotFound':
      return [[kind, attempt, facts, { do: 'gone' }]];
    case 'auth':
    case 'permanent':
      return [[kind, attempt, facts, { do: 'park', byThrottle: false }]];
  }
}

/** After the item writes began, whatever failed: a dirty retry, never given up. */
function dirty(kind: MailSourceErrorKind, attempt: number | undefined): Row {
  return [kind, attempt, { dirty: true }, { do: 'retry', attempt: (attempt ?? 0) + 1, dirty: true }];
}

const TABLE: Row[] = KINDS.flatMap((kind) =>
  ATTEMPTS.flatMap((attempt) => [...clean(kind, attempt), dirty(kind, attempt)]),
);

describe('reactionTo', () => {
  it.each(TABLE)('%s at attempt %s with %o: %o', (kind, attempt, facts, expected) => {
    const job = attempt === undefined ? {} : { attempt };
    expect(reactionTo({ kind }, job, facts, config)).toEqual(expected);
  });

  it('covers every kind at every attempt, clean and dirty', () => {
    const seen = new Set(TABLE.map(([kind, attempt, facts]) => `${kind}/${attempt}/${facts.dirty}`));
    expect(seen.size).toBe(KINDS.length * ATTEMPTS.length * 2);
  });

  it('gives up exactly when the next attempt reaches maxAttempts', () => {
    const transient = (attempt: number) =>
      reactionTo({ kind: 'transient' }, { attempt }, { dirty: false }, config);
    expect(transient(MAX - 2)).toEqual({ do: 'retry', attempt: MAX - 1, dirty: false });
    expect(transient(MAX - 1).do).toBe('stop');
  });

  it('refuses a throttle whose pause was not recorded first', () => {
    expect(() => reactionTo({ kind: 'throttled' }, {}, { dirty: false }, config)).toThrow(TypeError);
  });
});

describe('toPageError', () => {
  it('keeps the kind, code and retry hint of a mail-source error', () => {
    const error = new MailSourceError('throttled', 'ErrorServerBusy', 'busy', { retryAfterMs: 5_000 });
    expect(toPageError(error)).toEqual({
      kind: 'throttled',
      code: 'ErrorServerBusy',
      message: 'busy',
      retryAfterMs: 5_000,
    });
    expect(toPageError(new MailSourceError('auth', 'HTTP_401', 'no'))).not.toHaveProperty('retryAfterMs');
  });

  it('counts anything else as transient, named by its class', () => {
    expect(toPageError(new TypeError('boom'))).toEqual({
      kind: 'transient',
      code: 'UnexpectedTypeError',
      message: 'boom',
    });
    expect(toPageError('text')).toEqual({ kind: 'transient', code: 'UnexpectedUnknown', message: 'text' });
  });

  it('cuts server text to what a cursor keeps', () => {
    const long = 'x'.repeat(MAX_SERVER_TEXT * 2);
    const { message } = toPageError(new MailSourceError('protocol', 'Malformed', long));
    expect(message.length).toBeLessThan(MAX_SERVER_TEXT + 40);
  });
});
