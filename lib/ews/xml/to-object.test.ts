import { describe, expect, it } from 'vitest';
import { parseXml } from './parse-xml.js';
import { camelCase, elementToObject } from './to-object.js';

describe('camelCase', () => {
  it.each([
    ['IsRead', 'isRead'],
    ['UID', 'uid'],
    ['HTMLBody', 'htmlBody'],
    ['ICalUid', 'iCalUid'],
    ['MimeContent', 'mimeContent'],
    ['already', 'already'],
    ['X', 'x'],
  ])('%s -> %s', (name, expected) => {
    expect(camelCase(name)).toBe(expected);
  });
});

describe('elementToObject', () => {
  it('keeps leaves as text, attributes as keys, repeats as arrays, and skips the named child', () => {
    const element = parseXml(
      `<t:Message xmlns:t="x"><t:ItemId Id="1"/><t:Subject> a &amp; b </t:Subject><t:Body BodyType="Text">hi</t:Body>
        <t:ToRecipients><t:Mailbox><t:Name>A</t:Name></t:Mailbox><t:Mailbox><t:Name>B</t:Name></t:Mailbox></t:ToRecipients>
        <t:DisplayCc/><t:ConversationId Id="c"/><t:ToString>x</t:ToString><t:Constructor>y</t:Constructor></t:Message>`,
    );
    expect(elementToObject(element, 'ItemId')).toEqual({
      subject: ' a & b ',
      body: { bodyType: 'Text', '#text': 'hi' },
      toRecipients: { mailbox: [{ name: 'A' }, { name: 'B' }] },
      displayCc: '',
      conversationId: { id: 'c' },
      toString: 'x',
      constructor: 'y',
    });
  });
});
