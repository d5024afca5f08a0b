// Generates 512-change SyncFolderItems pages in the shape Exchange 2013+ / Exchange Online sends:
// `s:` envelope, h:ServerVersionInfo header, m:/t: prefixes, minified, ~150-character ids.

const TYPES = 'http://schemas.microsoft.com/exchange/services/2006/types';
const MESSAGES = 'http://schemas.microsoft.com/exchange/services/2006/messages';

export const CHANGES_PER_PAGE = 512;

function base64ish(seed: number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  let x = (Math.imul(seed + 1, 2654435761) ^ 0x5bd1e995) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[x >>> 26];
  }
  return out;
}

export function itemId(i: number): string {
  return `AAMkADllMTlhYmUxLTg5MTctNDI4ZS1iNDdlLTM2NTk2Y2E5ODA0MwBGAAAAAADW58Si2h5DR47ERsh76m/ZBwC30utV9Qm1Tp6i563HuBDKAAAAAAEMAAC30utV9Qm1Tp6i563HuBDKAA${base64ish(i, 10)}AAA=`;
}

export function changeKey(i: number): string {
  return `CQAAABYAAAC30utV9Qm1Tp6i563HuBDKAA${base64ish(i + 7, 6)}`;
}

const FOLDER_ID =
  'AQMkADllMTlhYmUxLTg5MTctNDI4ZS1iNDdlLTM2NTk2Y2E5ODA0MwAuAAAD1ufEotoeQ0eOxEbIe+pv2QEAt9LrVfUJtU6eouetx7gQygAAAgEMAAAA';

function mailbox(name: string, address: string): string {
  return `<t:Mailbox><t:Name>${name}</t:Name><t:EmailAddress>${address}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>`;
}

function date(i: number, offsetMinutes = 0): string {
  return new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 + offsetMinutes * 60_000)
    .toISOString()
    .replace('.000', '');
}

/** IdOnly plus the few properties the mirror always asks for. */
function idOnlyItem(i: number): string {
  return (
    `<t:Message><t:ItemId Id="${itemId(i)}" ChangeKey="${changeKey(i)}"/>` +
    `<t:ItemClass>IPM.Note</t:ItemClass><t:DateTimeReceived>${date(i)}</t:DateTimeReceived>` +
    `<t:IsRead>${i % 3 === 0 ? 'true' : 'false'}</t:IsRead></t:Message>`
  );
}

/** About 30 first-class properties, as a Default/AllProperties-style shape without the body. */
function richItem(i: number): string {
  const subject = `Quarterly review #${i} &amp; budget &lt;draft&gt;`;
  return (
    `<t:Message><t:ItemId Id="${itemId(i)}" ChangeKey="${changeKey(i)}"/>` +
    `<t:ParentFolderId Id="${FOLDER_ID}" ChangeKey="AQAAAA=="/>` +
    `<t:ItemClass>IPM.Note</t:ItemClass><t:Subject>${subject}</t:Subject><t:Sensitivity>Normal</t:Sensitivity>` +
    `<t:DateTimeReceived>${date(i)}</t:DateTimeReceived><t:Size>${20_000 + i}</t:Size>` +
    `<t:Importance>Normal</t:Importance>` +
    `<t:InReplyTo>&lt;${base64ish(i, 24)}@EXCH01.contoso.com&gt;</t:InReplyTo>` +
    `<t:IsSubmitted>false</t:IsSubmitted><t:IsDraft>false</t:IsDraft><t:IsFromMe>false</t:IsFromMe>` +
    `<t:IsUnmodified>true</t:IsUnmodified>` +
    `<t:DateTimeSent>${date(i, -1)}</t:DateTimeSent><t:DateTimeCreated>${date(i)}</t:DateTimeCreated>` +
    `<t:DisplayCc/><t:DisplayTo>Alfred Pennyworth; Lucius Fox</t:DisplayTo><t:HasAttachments>${i % 5 === 0}</t:HasAttachments>` +
    `<t:EffectiveRights><t:CreateAssociated>false</t:CreateAssociated><t:CreateContents>false</t:CreateContents>` +
    `<t:CreateHierarchy>false</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify>` +
    `<t:Read>true</t:Read><t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>` +
    `<t:LastModifiedName>Alfred Pennyworth</t:LastModifiedName><t:LastModifiedTime>${date(i, 5)}</t:LastModifiedTime>` +
    `<t:WebClientReadFormQueryString>https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(itemId(i))}&amp;exvsurl=1&amp;viewmodel=ReadMessageItem</t:WebClientReadFormQueryString>` +
    `<t:ConversationId Id="AAQkADllMTlhYmUxLTg5MTctNDI4ZS1iNDdlLTM2NTk2Y2E5ODA0MwAQA${base64ish(i, 22)}="/>` +
    `<t:Sender>${mailbox('Bruce Wayne', `bruce${i % 17}@wayne.example`)}</t:Sender>` +
    `<t:ToRecipients>${mailbox('Alfred Pennyworth', 'alfred@contoso.com')}${mailbox('Lucius Fox', 'lucius@contoso.com')}</t:ToRecipients>` +
    `<t:IsReadReceiptRequested>false</t:IsReadReceiptRequested><t:IsDeliveryReceiptRequested>false</t:IsDeliveryReceiptRequested>` +
    `<t:ConversationIndex>AdaG${base64ish(i, 24)}==</t:ConversationIndex>` +
    `<t:ConversationTopic>Quarterly review #${i} &amp; budget</t:ConversationTopic>` +
    `<t:From>${mailbox('Bruce Wayne', `bruce${i % 17}@wayne.example`)}</t:From>` +
    `<t:InternetMessageId>&lt;${base64ish(i + 3, 32)}@EXCH01.contoso.com&gt;</t:InternetMessageId>` +
    `<t:IsRead>${i % 3 === 0 ? 'true' : 'false'}</t:IsRead>` +
    `<t:ReceivedBy>${mailbox('Alfred Pennyworth', 'alfred@contoso.com')}</t:ReceivedBy>` +
    '</t:Message>'
  );
}

function page(item: (i: number) => string): string {
  let changes = '';
  for (let i = 0; i < CHANGES_PER_PAGE; i++) changes += `<t:Create>${item(i)}</t:Create>`;
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>' +
    `<h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="8769" MinorBuildNumber="35" Version="V2018_01_08" xmlns:h="${TYPES}" xmlns="${TYPES}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>` +
    '</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    `<m:SyncFolderItemsResponse xmlns:m="${MESSAGES}" xmlns:t="${TYPES}"><m:ResponseMessages>` +
    '<m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>' +
    `<m:SyncState>H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0oQiAYBMk2JBAEOzBiM3mkuwdaUcjKasqgcplVmVdZhZAzO2dvPfee++999577733${base64ish(1, 300)}</m:SyncState>` +
    '<m:IncludesLastItemInRange>false</m:IncludesLastItemInRange>' +
    `<m:Changes>${changes}</m:Changes>` +
    '</m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>'
  );
}

export interface BenchPage {
  name: string;
  xml: string;
}

export function benchPages(): BenchPage[] {
  return [
    { name: 'IdOnly + 3 properties', xml: page(idOnlyItem) },
    { name: '~30 properties', xml: page(richItem) },
  ];
}
