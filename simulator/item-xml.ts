// Items and folders as EWS writes them (t: prefix, schema element order), for the three base
// shapes and AdditionalProperties. Element lists are compiled once per (type, shape) so a page of
// 512 items is string concatenation only.
import type { FolderRecord, ItemRecord, SimMailbox } from './mailbox.js';
import { type FolderType, ITEM_TYPES, type ItemType, type Person, type SimItem } from './model.js';
import { esc } from './xml-escape.js';

export type BaseShape = 'IdOnly' | 'Default' | 'AllProperties';

export interface ResponseShape {
  base: BaseShape;
  /** Element local names requested through AdditionalProperties (`item:Subject` -> `Subject`). */
  additional: ReadonlySet<string>;
}

export interface ItemWriteContext {
  mailbox: SimMailbox;
  folderSerial: number;
  /** Fault injection: append an invalid control-character reference to this item's text. */
  controlChars: boolean;
}

type Writer = (item: SimItem, rec: ItemRecord, ctx: ItemWriteContext) => string;

const el = (name: string, value: string | number | boolean) => `<t:${name}>${value}</t:${name}>`;
const textEl = (name: string, value: string) =>
  value === '' ? `<t:${name}/>` : `<t:${name}>${esc(value)}</t:${name}>`;
const mailboxOf = (p: Person) =>
  `<t:Mailbox><t:Name>${esc(p.name)}</t:Name><t:EmailAddress>${esc(p.email)}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>`;
const mailboxEl = (name: string, p: Person | undefined) =>
  p ? `<t:${name}>${mailboxOf(p)}</t:${name}>` : '';
const EFFECTIVE_RIGHTS =
  '<t:EffectiveRights><t:CreateAssociated>false</t:CreateAssociated><t:CreateContents>false</t:CreateContents><t:CreateHierarchy>false</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read></t:EffectiveRights>';

const MESSAGE_LIKE: ItemType[] = ['Message', 'MeetingRequest'];
const CALENDAR_LIKE: ItemType[] = ['CalendarItem', 'MeetingRequest'];
const ALL: readonly ItemType[] = ITEM_TYPES;

interface PropertyDef {
  name: string;
  types: readonly ItemType[];
  inDefault: boolean;
  write: Writer;
}

const def = (name: string, types: readonly ItemType[], inDefault: boolean, write: Writer): PropertyDef => ({
  name,
  types,
  inDefault,
  write,
});

function subject(item: SimItem, ctx: ItemWriteContext): string {
  return ctx.controlChars ? `${item.props.subject}\u0001\u001b` : item.props.subject;
}

/** Schema order: ItemType's elements, then each derived type's. */
const PROPERTIES: PropertyDef[] = [
  def('ParentFolderId', ALL, true, (_i, _r, c) => {
    const folder = c.mailbox.folder(c.folderSerial)!;
    return `<t:ParentFolderId Id="${folder.value.id}" ChangeKey="AQAAAA=="/>`;
  }),
  def('ItemClass', ALL, true, (i) => el('ItemClass', esc(i.props.itemClass))),
  def('Subject', ALL, true, (i, _r, c) => textEl('Subject', subject(i, c))),
  def('Sensitivity', ALL, true, (i) => el('Sensitivity', i.props.sensitivity)),
  def('DateTimeReceived', ALL, true, (i) => el('DateTimeReceived', i.props.dateTimeReceived)),
  def('Size', ALL, true, (i) => el('Size', i.props.size)),
  def('Categories', ALL, false, (i) =>
    i.props.categories.length
      ? `<t:Categories>${i.props.categories.map((c) => el('String', esc(c))).join('')}</t:Categories>`
      : '',
  ),
  def('Importance', ALL, true, (i) => el('Importance', i.props.importance)),
  def('IsSubmitted', ALL, false, () => el('IsSubmitted', false)),
  def('IsDraft', ALL, false, (i) => el('IsDraft', i.props.isDraft)),
  def('IsFromMe', ALL, false, () => el('IsFromMe', false)),
  def('IsResend', ALL, false, () => el('IsResend', false)),
  def('IsUnmodified', ALL, false, (i) =>
    el('IsUnmodified', i.props.lastModifiedTime === i.props.dateTimeCreated),
  ),
  def('DateTimeSent', ALL, true, (i) => el('DateTimeSent', i.props.dateTimeSent)),
  def('DateTimeCreated', ALL, true, (i) => el('DateTimeCreated', i.props.dateTimeCreated)),
  def('DisplayCc', ALL, false, (i) => textEl('DisplayCc', i.props.displayCc)),
  def('DisplayTo', ALL, false, (i) => textEl('DisplayTo', i.props.displayTo)),
  def('HasAttachments', ALL, true, (i) => el('HasAttachments', i.props.hasAttachments)),
  def('Culture', ALL, false, () => el('Culture', 'en-US')),
  def('EffectiveRights', ALL, false, () => EFFECTIVE_RIGHTS),
  def('LastModifiedName', ALL, false, (_i, _r, c) => el('LastModifiedName', esc(c.mailbox.displayName))),
  def('LastModifiedTime', ALL, false, (i) => el('LastModifiedTime', i.props.lastModifiedTime)),
  def('IsAssociated', ALL, true, (i) => el('IsAssociated', i.isAssociated)),
  // Message (MeetingRequest derives from it)
  def('Sender', MESSAGE_LIKE, false, (i) => mailboxEl('Sender', i.props.from)),
  def('ToRecipients', MESSAGE_LIKE, false, (i) =>
    i.props.toRecipients?.length
      ? `<t:ToRecipients>${i.props.toRecipients.map(mailboxOf).join('')}</t:ToRecipients>`
      : '',
  ),
  def('IsReadReceiptRequested', MESSAGE_LIKE, false, () => el('IsReadReceiptRequested', false)),
  def('IsDeliveryReceiptRequested', MESSAGE_LIKE, false, () => el('IsDeliveryReceiptRequested', false)),
  def('ConversationTopic', [...MESSAGE_LIKE, 'PostItem'], false, (i) =>
    i.props.conversationTopic === undefined ? '' : textEl('ConversationTopic', i.props.conversationTopic),
  ),
  def('From', [...MESSAGE_LIKE, 'PostItem'], true, (i) => mailboxEl('From', i.props.from)),
  def('InternetMessageId', [...MESSAGE_LIKE, 'PostItem'], false, (i) =>
    i.props.internetMessageId ? el('InternetMessageId', esc(i.props.internetMessageId)) : '',
  ),
  def('IsRead', [...MESSAGE_LIKE, 'PostItem'], true, (i) => el('IsRead', i.isRead)),
  def('PostedTime', ['PostItem'], false, (i) => el('PostedTime', i.props.dateTimeSent)),
  // MeetingMessage, then MeetingRequest
  def('IsDelegated', ['MeetingRequest'], false, () => el('IsDelegated', false)),
  def('IsOutOfDate', ['MeetingRequest'], false, () => el('IsOutOfDate', false)),
  def('HasBeenProcessed', ['MeetingRequest'], false, () => el('HasBeenProcessed', true)),
  def('ResponseType', ['MeetingRequest'], false, () => el('ResponseType', 'NoResponseReceived')),
  def('UID', CALENDAR_LIKE, false, (i) => (i.props.uid ? el('UID', i.props.uid) : '')),
  def('DateTimeStamp', ['CalendarItem'], false, (i) => el('DateTimeStamp', i.props.dateTimeCreated)),
  def('MeetingRequestType', ['MeetingRequest'], false, () => el('MeetingRequestType', 'NewMeetingRequest')),
  def('IntendedFreeBusyStatus', ['MeetingRequest'], false, () => el('IntendedFreeBusyStatus', 'Busy')),
  def('Start', CALENDAR_LIKE, true, (i) => (i.props.start ? el('Start', i.props.start) : '')),
  def('End', CALENDAR_LIKE, true, (i) => (i.props.end ? el('End', i.props.end) : '')),
  def('IsAllDayEvent', CALENDAR_LIKE, false, (i) => el('IsAllDayEvent', i.props.isAllDayEvent ?? false)),
  def('LegacyFreeBusyStatus', CALENDAR_LIKE, true, () => el('LegacyFreeBusyStatus', 'Busy')),
  def('Location', CALENDAR_LIKE, true, (i) => textEl('Location', i.props.location ?? '')),
  def('IsMeeting', CALENDAR_LIKE, false, (i, _r, c) =>
    el('IsMeeting', i.props.organizer?.email !== c.mailbox.smtp),
  ),
  def('IsCancelled', CALENDAR_LIKE, false, () => el('IsCancelled', false)),
  def('IsRecurring', CALENDAR_LIKE, false, () => el('IsRecurring', false)),
  def('MeetingRequestWasSent', CALENDAR_LIKE, false, () => el('MeetingRequestWasSent', false)),
  def('IsResponseRequested', ['CalendarItem'], false, () => el('IsResponseRequested', true)),
  def('CalendarItemType', CALENDAR_LIKE, true, () => el('CalendarItemType', 'Single')),
  def('MyResponseType', CALENDAR_LIKE, false, (i, _r, c) =>
    el('MyResponseType', i.props.organizer?.email === c.mailbox.smtp ? 'Organizer' : 'NoResponseReceived'),
  ),
  def('Organizer', CALENDAR_LIKE, true, (i) => mailboxEl('Organizer', i.props.organizer)),
  def('AppointmentSequenceNumber', ['CalendarItem'], false, () => el('AppointmentSequenceNumber', 0)),
  def('AppointmentState', ['CalendarItem'], false, () => el('AppointmentState', 0)),
  // Contact and DistributionList
  def('FileAs', ['Contact'], false, (i) => textEl('FileAs', i.props.displayName ?? '')),
  def('FileAsMapping', ['Contact'], false, () => el('FileAsMapping', 'None')),
  def('DisplayName', ['Contact', 'DistributionList'], true, (i) =>
    textEl('DisplayName', i.props.displayName ?? ''),
  ),
  def('FileAs', ['DistributionList'], false, (i) => textEl('FileAs', i.props.displayName ?? '')),
  def('GivenName', ['Contact'], false, (i) => textEl('GivenName', i.props.givenName ?? '')),
  def(
    'CompleteName',
    ['Contact'],
    false,
    (i) =>
      `<t:CompleteName><t:FirstName>${esc(i.props.givenName ?? '')}</t:FirstName><t:LastName>${esc(i.props.surname ?? '')}</t:LastName><t:FullName>${esc(i.props.displayName ?? '')}</t:FullName></t:CompleteName>`,
  ),
  def('CompanyName', ['Contact'], true, (i) => textEl('CompanyName', i.props.companyName ?? '')),
  def('EmailAddresses', ['Contact'], true, (i) =>
    i.props.emailAddress
      ? `<t:EmailAddresses><t:Entry Key="EmailAddress1">${esc(i.props.emailAddress)}</t:Entry></t:EmailAddresses>`
      : '',
  ),
  def('PhoneNumbers', ['Contact'], false, (i) =>
    i.props.phone
      ? `<t:PhoneNumbers><t:Entry Key="BusinessPhone">${esc(i.props.phone)}</t:Entry></t:PhoneNumbers>`
      : '',
  ),
  def('Surname', ['Contact'], false, (i) => textEl('Surname', i.props.surname ?? '')),
  // Task
  def('ChangeCount', ['Task'], false, () => el('ChangeCount', 1)),
  def('DueDate', ['Task'], true, (i) => (i.props.dueDate ? el('DueDate', i.props.dueDate) : '')),
  def('IsComplete', ['Task'], false, (i) => el('IsComplete', i.props.status === 'Completed')),
  def('IsRecurring', ['Task'], false, () => el('IsRecurring', false)),
  def('PercentComplete', ['Task'], false, (i) => el('PercentComplete', i.props.percentComplete ?? 0)),
  def('Status', ['Task'], true, (i) => el('Status', i.props.status ?? 'NotStarted')),
];

/** Element names AdditionalProperties may ask for (FieldURI local parts). */
export const KNOWN_ITEM_FIELDS: ReadonlySet<string> = new Set(['ItemId', ...PROPERTIES.map((p) => p.name)]);

const compiled = new Map<string, PropertyDef[]>();

function propertiesFor(type: ItemType, shape: ResponseShape): PropertyDef[] {
  const key = `${type}|${shape.base}|${[...shape.additional].sort().join(',')}`;
  let list = compiled.get(key);
  if (!list) {
    list = PROPERTIES.filter(
      (p) =>
        p.types.includes(type) &&
        (shape.base === 'AllProperties' ||
          (shape.base === 'Default' && p.inDefault) ||
          shape.additional.has(p.name)),
    );
    compiled.set(key, list);
  }
  return list;
}

export function itemIdXml(ctx: ItemWriteContext, rec: ItemRecord): string {
  return `<t:ItemId Id="${rec.value.id}" ChangeKey="${ctx.mailbox.itemChangeKey(ctx.folderSerial, rec)}"/>`;
}

export function itemXml(rec: ItemRecord, shape: ResponseShape, ctx: ItemWriteContext): string {
  const item = rec.value;
  let out = `<t:${item.type}>${itemIdXml(ctx, rec)}`;
  if (shape.base !== 'IdOnly' || shape.additional.size > 0) {
    for (const p of propertiesFor(item.type, shape)) out += p.write(item, rec, ctx);
  }
  return `${out}</t:${item.type}>`;
}

// ---------------------------------------------------------------------------------------------
// Folders

const FOLDERS_WITH_UNREAD: ReadonlySet<FolderType> = new Set(['Folder', 'TasksFolder', 'SearchFolder']);
const FOLDER_RIGHTS =
  '<t:EffectiveRights><t:CreateAssociated>true</t:CreateAssociated><t:CreateContents>true</t:CreateContents><t:CreateHierarchy>true</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read><t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>';

export const KNOWN_FOLDER_FIELDS: ReadonlySet<string> = new Set([
  'FolderId',
  'ParentFolderId',
  'FolderClass',
  'DisplayName',
  'TotalCount',
  'ChildFolderCount',
  'EffectiveRights',
  'UnreadCount',
]);

export function folderIdXml(mailbox: SimMailbox, rec: FolderRecord): string {
  return `<t:FolderId Id="${rec.value.id}" ChangeKey="${mailbox.folderChangeKey(rec)}"/>`;
}

export function folderXml(mailbox: SimMailbox, rec: FolderRecord, shape: ResponseShape): string {
  const f = rec.value;
  const want = (name: string, inDefault: boolean) =>
    shape.base === 'AllProperties' || (shape.base === 'Default' && inDefault) || shape.additional.has(name);
  let out = `<t:${f.folderType}>${folderIdXml(mailbox, rec)}`;
  if (shape.base !== 'IdOnly' || shape.additional.size > 0) {
    const truth = mailbox.folderTruth(rec);
    const parent = f.parentSerial ? mailbox.folder(f.parentSerial) : undefined;
    if (parent && want('ParentFolderId', false))
      out += `<t:ParentFolderId Id="${parent.value.id}" ChangeKey="AQAAAA=="/>`;
    if (f.folderClass && want('FolderClass', false)) out += el('FolderClass', esc(f.folderClass));
    if (want('DisplayName', true)) out += textEl('DisplayName', f.displayName);
    if (want('TotalCount', true)) out += el('TotalCount', truth.itemCount);
    if (want('ChildFolderCount', true)) {
      out += el(
        'ChildFolderCount',
        mailbox.liveFolders().filter((c) => c.value.parentSerial === rec.serial).length,
      );
    }
    if (want('EffectiveRights', false)) out += FOLDER_RIGHTS;
    if (FOLDERS_WITH_UNREAD.has(f.folderType) && want('UnreadCount', true))
      out += el('UnreadCount', truth.unreadCount);
  }
  return `${out}</t:${f.folderType}>`;
}
