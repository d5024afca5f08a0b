// EWS ids and ChangeKeys. Ids are base64 like Exchange's (they start "AAMkA" and contain + / =),
// and carry the mailbox number, folder serial and item serial, so a request's id resolves without
// a lookup table. The mailbox GUID inside makes ids of another organisation or mailbox fail.

const ID_PREFIX = [0x00, 0x03, 0x24, 0x00];
const FOLDER_KIND = 1;
const ITEM_KIND = 2;
const ITEM_ID_BYTES = 114; // 152 base64 characters, as Exchange Online item ids
const FOLDER_ID_BYTES = 88; // 120 characters

export interface ParsedId {
  kind: 'folder' | 'item';
  mailboxIndex: number;
  folderSerial: number;
  itemSerial: number;
  guid: Buffer;
}

function build(kind: number, size: number, mailboxIndex: number, guid: Buffer, folder: number, item: number) {
  const b = Buffer.alloc(size);
  ID_PREFIX.forEach((v, i) => {
    b[i] = v;
  });
  b[4] = kind;
  b.writeUInt16BE(mailboxIndex, 5);
  b.writeUInt32BE(folder, 7);
  b.writeUInt32BE(item, 11);
  // GUID, then filler bytes derived from it so ids look like Exchange's long opaque ones.
  for (let i = 15; i < size; i++) b[i] = guid[(i - 15) % 16]! ^ (i - 15 >= 16 ? (i * 37) & 0xff : 0);
  return b.toString('base64');
}

export function folderId(mailboxIndex: number, guid: Buffer, folderSerial: number): string {
  return build(FOLDER_KIND, FOLDER_ID_BYTES, mailboxIndex, guid, folderSerial, 0);
}

export function itemId(mailboxIndex: number, guid: Buffer, folderSerial: number, itemSerial: number): string {
  return build(ITEM_KIND, ITEM_ID_BYTES, mailboxIndex, guid, folderSerial, itemSerial);
}

/** Undefined for anything that is not an id this scheme produced. */
export function parseId(id: string): ParsedId | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return undefined;
  const b = Buffer.from(id, 'base64');
  if (b.length !== ITEM_ID_BYTES && b.length !== FOLDER_ID_BYTES) return undefined;
  if (ID_PREFIX.some((v, i) => b[i] !== v)) return undefined;
  const kind = b[4] === FOLDER_KIND ? 'folder' : b[4] === ITEM_KIND ? 'item' : undefined;
  if (kind === undefined) return undefined;
  if ((kind === 'folder') !== (b.length === FOLDER_ID_BYTES)) return undefined;
  return {
    kind,
    mailboxIndex: b.readUInt16BE(5),
    folderSerial: b.readUInt32BE(7),
    itemSerial: b.readUInt32BE(11),
    guid: b.subarray(15, 31),
  };
}

/** ChangeKey as Exchange shapes it: 8 header bytes (the first names the kind), GUID, version. */
export function changeKey(kindByte: number, guid: Buffer, folderSerial: number, cn: number): string {
  const b = Buffer.alloc(30);
  b[0] = kindByte;
  b[4] = 0x16;
  guid.copy(b, 8);
  b.writeUInt16BE(folderSerial & 0xffff, 24);
  b.writeUInt32BE(cn >>> 0, 26);
  return b.toString('base64');
}

/** First ChangeKey byte per item type, as Exchange does ('CQ' message, 'Dw' calendar, ...). */
export const CHANGE_KEY_KIND: Record<string, number> = {
  Message: 0x09,
  MeetingRequest: 0x09,
  PostItem: 0x09,
  CalendarItem: 0x0f,
  Contact: 0x11,
  DistributionList: 0x11,
  Task: 0x13,
  Folder: 0x01,
};
