import { describe, expect, it } from 'vitest';
import { LocalCredentialsResolver } from '../adapters/secrets/index.js';
import { MailSourceError } from '../core/errors.js';
import { testMailbox } from '../core/testing/in-memory-registry.js';
import { buildMailSource } from './mail-sources.js';

const mailbox = testMailbox('a@contoso.com', {
  source: { kind: 'ews', endpoint: 'https://127.0.0.1:1/EWS/Exchange.asmx', smtpAddress: 'a@contoso.com' },
  credentialsRef: 'local:simulator',
});
const env = { secretPrefix: 'exchange-sync/' };

/** The error a call fails with, checked to be the mail source's kind. */
async function failureOf(call: Promise<unknown>): Promise<MailSourceError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MailSourceError);
  return error as MailSourceError;
}

describe('buildMailSource', () => {
  it('resolves no local: credentials in the production wiring (none are passed)', async () => {
    const error = await failureOf(
      buildMailSource(env).mailSource.syncHierarchy({ mailbox, requestId: 'r1' }),
    );
    // Refused as a secret outside the project's prefix: no local resolver was ever asked.
    expect(error.message).toMatch(/local:simulator is outside the allowed prefix exchange-sync\//);
  });

  it('resolves the credentials of the local run when they are passed', async () => {
    const local = new LocalCredentialsResolver({
      simulator: { type: 'basic', username: 'u', password: 'p' },
    });
    // The credentials resolve; the call then fails on the (closed) endpoint or its scheme instead.
    const error = await failureOf(
      buildMailSource(env, { localCredentials: local }).mailSource.syncHierarchy({
        mailbox,
        requestId: 'r2',
      }),
    );
    expect(error.message).not.toMatch(/local:simulator/);
  });
});
