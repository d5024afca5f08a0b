import { describe, expect, it } from 'vitest';
import { ConfigurationError, readHandlerEnv } from './env.js';

const complete = {
  MAILBOX_TABLE: 'm',
  CURSOR_TABLE: 'c',
  ITEM_TABLE: 'i',
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123/q',
};

describe('readHandlerEnv', () => {
  it('applies defaults', () => {
    const env = readHandlerEnv(complete);
    expect(env).toMatchObject({
      secretPrefix: 'exchange-sync/',
      syncIntervalMs: 900_000,
      allowInsecureHttp: false,
    });
  });

  it('names every missing or malformed variable', () => {
    try {
      readHandlerEnv({ ...complete, ITEM_TABLE: undefined, MAX_HOPS: '-3' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).variables.sort()).toEqual(['ITEM_TABLE', 'MAX_HOPS']);
    }
  });
});
