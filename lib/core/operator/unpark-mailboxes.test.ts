import { describe, expect, it } from 'vitest';
import type { Mailbox } from '../model.js';
import { InMemoryMailboxRegistry, testMailbox } from '../testing/in-memory-registry.js';
import { MailboxNotRegisteredError } from './mailboxes.js';
import { UnparkReasonFilterError, unparkMailboxes } from './unpark-mailboxes.js';

const NOW = 5_000_000;
const REASONS: Record<string, string | undefined> = {
  alice: 'HTTP_401: unauthorized',
  bob: 'OAuth2:invalid_client: token endpoint refused the request',
  carol: 'parked by operator',
  dave: undefined,
};

async function registry(): Promise<InMemoryMailboxRegistry> {
  const r = new InMemoryMailboxRegistry();
  for (const [name, reason] of Object.entries(REASONS)) {
    const mailboxId = `${name}@contoso.com`;
    await r.put(
      testMailbox(mailboxId, { source: ews(`${name[0]!.toUpperCase()}${name.slice(1)}@Contoso.com`) }),
    );
    if (reason !== undefined) await r.park(mailboxId, reason, NOW - 1);
  }
  return r;
}

function ews(smtpAddress: string): Mailbox['source'] {
  return { kind: 'ews', smtpAddress, endpoint: 'https://mail.contoso.com/EWS/Exchange.asmx' };
}

const status = async (r: InMemoryMailboxRegistry, name: string) =>
  (await r.get(`${name}@contoso.com`))?.status;

describe('unparkMailboxes', () => {
  it('with a reason, unparks only the mailboxes parked for a reason containing it (any case)', async () => {
    const r = await registry();
    const summary = await unparkMailboxes({ registry: r }, { kind: 'all', reason: 'http_401' }, NOW);
    expect(summary).toEqual({
      reason: 'http_401',
      matched: 1,
      unparked: 1,
      skipped: 0,
      mailboxes: [
        { mailboxId: 'alice@contoso.com', smtpAddress: 'Alice@Contoso.com', parkedReason: REASONS.alice },
      ],
      failures: [],
    });
    expect(await r.get('alice@contoso.com')).toMatchObject({ status: 'enabled', updatedAt: NOW });
    expect(await status(r, 'bob')).toBe('parked');
    expect(await status(r, 'carol')).toBe('parked');
  });

  it('without a reason, unparks every parked mailbox across registry pages', async () => {
    const r = await registry();
    for (let i = 0; i < 150; i++) {
      await r.put(testMailbox(`bulk-${String(i).padStart(3, '0')}@contoso.com`, { status: 'parked' }));
    }
    const summary = await unparkMailboxes({ registry: r }, { kind: 'all' }, NOW);
    expect(summary).toMatchObject({ reason: null, matched: 153, unparked: 153, skipped: 0 });
    expect(summary.mailboxes.map((m) => m.mailboxId)).toEqual(
      [...summary.mailboxes.map((m) => m.mailboxId)].sort(),
    );
    const parked = [...r.mailboxes.values()].filter((m) => m.status === 'parked');
    expect(parked).toEqual([]);
  });

  it('leaves alone a mailbox that changed between the listing and its unpark', async () => {
    const r = await registry();
    // Once listed, another operator unparks bob and carol is parked again for a reason without an o.
    const get = r.get.bind(r);
    r.get = async (mailboxId) => {
      if (mailboxId === 'bob@contoso.com') await r.unpark(mailboxId, NOW);
      if (mailboxId === 'carol@contoso.com') await r.park(mailboxId, 'HTTP_503', NOW);
      return get(mailboxId);
    };
    const summary = await unparkMailboxes({ registry: r }, { kind: 'all', reason: 'o' }, NOW);
    expect(summary).toMatchObject({ matched: 3, unparked: 1, skipped: 2 });
    expect(summary.mailboxes.map((m) => m.mailboxId)).toEqual(['alice@contoso.com']);
    expect(await r.get('carol@contoso.com')).toMatchObject({ parkedReason: 'HTTP_503' });
  });

  it('reports a mailbox whose unpark failed and still unparks the others', async () => {
    const r = await registry();
    const unpark = r.unpark.bind(r);
    r.unpark = async (mailboxId, now) => {
      if (mailboxId === 'bob@contoso.com') throw new Error('throttled');
      return unpark(mailboxId, now);
    };
    const summary = await unparkMailboxes({ registry: r }, { kind: 'all' }, NOW);
    expect(summary).toMatchObject({
      matched: 3,
      unparked: 2,
      failures: [{ mailboxId: 'bob@contoso.com', error: 'Error: throttled' }],
    });
    expect(await status(r, 'alice')).toBe('enabled');
    expect(await status(r, 'carol')).toBe('enabled');
  });

  it('unparks one mailbox, says which when it was not parked, and names one not registered', async () => {
    const r = await registry();
    const one = await unparkMailboxes({ registry: r }, { kind: 'one', mailboxId: 'carol@contoso.com' }, NOW);
    expect(one).toMatchObject({
      unparked: 1,
      mailboxes: [{ mailboxId: 'carol@contoso.com', parkedReason: 'parked by operator' }],
      target: { mailboxId: 'carol@contoso.com', smtpAddress: 'Carol@Contoso.com' },
    });
    expect(await status(r, 'alice')).toBe('parked');

    const notParked = await unparkMailboxes(
      { registry: r },
      { kind: 'one', mailboxId: 'dave@contoso.com' },
      NOW,
    );
    expect(notParked).toMatchObject({
      matched: 0,
      unparked: 0,
      target: { mailboxId: 'dave@contoso.com', smtpAddress: 'Dave@Contoso.com' },
    });

    const unknown = unparkMailboxes({ registry: r }, { kind: 'one', mailboxId: 'eve@contoso.com' }, NOW);
    await expect(unknown).rejects.toBeInstanceOf(MailboxNotRegisteredError);
    await expect(unknown).rejects.toMatchObject({ mailboxId: 'eve@contoso.com' });
  });

  it('refuses a blank reason filter, which would match every parked mailbox', async () => {
    const r = await registry();
    const blank = unparkMailboxes({ registry: r }, { kind: 'all', reason: '  ' }, NOW);
    await expect(blank).rejects.toBeInstanceOf(UnparkReasonFilterError);
    await expect(blank).rejects.toMatchObject({ reason: '  ' });
    expect(await status(r, 'alice')).toBe('parked');
  });
});
