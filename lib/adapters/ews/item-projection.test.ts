import { describe, expect, it } from 'vitest';
import { ITEM_PROPERTIES } from '../../core/mirror/item-properties.js';
import { fieldUrisFor, projectItem, toCanonicalChange } from './item-projection.js';

/** An item as the EWS parser reports it: camelCase element names, XML text for leaves. */
const parsed = {
  itemClass: 'IPM.Note',
  subject: 'Quarterly numbers',
  from: { mailbox: { name: 'Dana', emailAddress: 'dana@contoso.com', routingType: 'SMTP' } },
  dateTimeReceived: '2026-11-02T09:00:00Z',
  dateTimeSent: '2026-11-02T08:59:58Z',
  size: '5120',
  hasAttachments: 'false',
  importance: 'High',
  categories: { string: ['Red', 'Finance'] },
  internetMessageId: '<a@contoso.com>',
  isDraft: '0',
  isRead: 'true',
};

describe('the canonical projection of an EWS item', () => {
  it('reads each asked property into its canonical type, and the read flag as a boolean', () => {
    expect(projectItem(parsed, [...ITEM_PROPERTIES])).toEqual({
      subject: 'Quarterly numbers',
      from: { name: 'Dana', address: 'dana@contoso.com' },
      receivedAt: '2026-11-02T09:00:00Z',
      sentAt: '2026-11-02T08:59:58Z',
      size: 5120,
      hasAttachments: false,
      importance: 'high',
      categories: ['Red', 'Finance'],
      internetMessageId: '<a@contoso.com>',
      isDraft: false,
      isRead: true,
    });
  });

  it('keeps only the properties the mailbox mirrors, and leaves out what does not parse', () => {
    expect(
      projectItem({ ...parsed, size: 'big', importance: 'Urgent' }, ['subject', 'size', 'importance']),
    ).toEqual({
      subject: 'Quarterly numbers',
      isRead: true,
    });
    expect(projectItem({ categories: { string: 'Solo' } }, ['categories'])).toEqual({ categories: ['Solo'] });
  });

  it('reads contact e-mail entries in order', () => {
    const contact = {
      displayName: 'Erin',
      emailAddresses: {
        entry: [{ key: 'EmailAddress1', '#text': 'erin@x.example' }, { key: 'EmailAddress2' }],
      },
    };
    expect(projectItem(contact, ['displayName', 'emailAddresses'])).toEqual({
      displayName: 'Erin',
      emailAddresses: ['erin@x.example'],
    });
  });

  it('asks EWS for one FieldURI per property, plus the read flag', () => {
    expect(fieldUrisFor(['subject', 'receivedAt'])).toEqual([
      'item:Subject',
      'item:DateTimeReceived',
      'message:IsRead',
    ]);
  });

  it('passes deletes and read-flag changes through unchanged', () => {
    const del = { kind: 'delete' as const, itemId: 'i', changeKey: 'k' };
    expect(toCanonicalChange(del, ['subject'])).toBe(del);
  });
});
