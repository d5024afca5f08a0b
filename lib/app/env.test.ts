import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../settings/index.js';
import { ConfigurationError, readHandlerEnv } from './env.js';

const complete = {
  MAILBOX_TABLE: 'm',
  CURSOR_TABLE: 'c',
  ITEM_TABLE: 'i',
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123/q',
};

function variablesRefused(source: Record<string, string | undefined>): string[] {
  try {
    readHandlerEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).variables.sort();
  }
  return expect.unreachable('expected a ConfigurationError');
}

describe('readHandlerEnv', () => {
  it("applies the settings table's defaults", () => {
    expect(readHandlerEnv(complete)).toMatchObject({
      secretPrefix: 'exchange-sync/',
      syncIntervalMs: 15 * 60_000,
      tickIntervalMs: 5 * 60_000,
      maxHops: 500,
      leaseMs: SETTINGS.leaseMs.default,
      pagesPerInvocation: 100,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(readHandlerEnv({ ...complete, MAX_HOPS: '', SECRET_PREFIX: '' })).toMatchObject({
      maxHops: 500,
      secretPrefix: 'exchange-sync/',
    });
  });

  it('reads what the stack sets', () => {
    expect(
      readHandlerEnv({
        ...complete,
        SECRET_PREFIX: 'acme/sync/',
        SYNC_INTERVAL_MINUTES: '0',
        TICK_RATE_MINUTES: '10',
        MAX_HOPS: '40',
        LEASE_MS: '150000',
        PAGES_PER_INVOCATION: '4',
      }),
    ).toMatchObject({
      secretPrefix: 'acme/sync/',
      syncIntervalMs: 0,
      tickIntervalMs: 10 * 60_000,
      maxHops: 40,
      leaseMs: 150_000,
      pagesPerInvocation: 4,
    });
    // The prefix without its slash means the same.
    expect(readHandlerEnv({ ...complete, SECRET_PREFIX: 'acme' }).secretPrefix).toBe('acme/');
  });

  it('names every missing or malformed variable, resources and settings alike', () => {
    expect(variablesRefused({ ...complete, ITEM_TABLE: undefined, MAX_HOPS: '-3' })).toEqual([
      'ITEM_TABLE',
      'MAX_HOPS',
    ]);
    expect(
      variablesRefused({
        ...complete,
        SECRET_PREFIX: '/abs/',
        SYNC_INTERVAL_MINUTES: '1.5',
        PAGES_PER_INVOCATION: '0',
      }),
    ).toEqual(['PAGES_PER_INVOCATION', 'SECRET_PREFIX', 'SYNC_INTERVAL_MINUTES']);
  });

  it('says what is wrong with the value', () => {
    expect(() => readHandlerEnv({ ...complete, MAX_HOPS: '2000000' })).toThrow(
      'MAX_HOPS: must be at most 1000000',
    );
  });
});
