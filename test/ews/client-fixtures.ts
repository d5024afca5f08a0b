// What the EwsClient tests over loopback HTTP share: the mailbox, a small SyncFolderItems
// request, a client pointed at a local server, and a way to catch the EwsError a call rejects with.
import { expect } from 'vitest';
import { BasicAuthProvider } from '../../lib/ews/auth/basic.js';
import { EwsClient, type EwsClientOptions } from '../../lib/ews/client.js';
import { EwsError } from '../../lib/ews/errors.js';

export const MAILBOX = 'alfred@contoso.com';

export const SYNC = {
  folder: { distinguishedId: 'inbox' },
  shape: { baseShape: 'IdOnly' as const },
  maxChangesReturned: 10,
};

/** A client for the server at `baseUrl` (plain http allowed: it is loopback). */
export function clientFor(baseUrl: string, options: Partial<EwsClientOptions> = {}): EwsClient {
  return new EwsClient({
    endpoint: `${baseUrl}/EWS/Exchange.asmx`,
    auth: new BasicAuthProvider('svc', 'pw'),
    allowInsecureHttp: true,
    ...options,
  });
}

export async function rejection(promise: Promise<unknown>): Promise<EwsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EwsError);
    return error as EwsError;
  }
  throw new Error('expected a rejection');
}
