// Graph ids. Real Graph and EWS ids of the same item differ (Graph's are URL-safe base64 of another
// entry-id layout), so a client that mixes them up fails here as it would against Exchange
// Online. Everything is derived from the simulator's internal identity (mailbox number and GUID,
// folder serial, item serial); nothing is stored.
//   regular item id   "AAMkA..."  from the item's current folder and serial: changes on a move,
//                                 as regular Graph ids do.
//   immutable item id "AAkALg..." from where the item was first created (SimItem.origin): the
//                                 same in every folder it moves through (Prefer: IdType="ImmutableId").
//   folder id         "AQMkA..."  from the folder serial; folders keep it across moves and Graph
//                                 has no immutable variant for containers.
import type { ItemRecord, SimMailbox } from '../mailbox.js';

const ITEM_PREFIX = [0x00, 0x03, 0x24, 0x00];
const IMMUTABLE_PREFIX = [0x00, 0x09, 0x00, 0x2e];
const FOLDER_PREFIX = [0x01, 0x03, 0x24, 0x00];
const ITEM_KIND = 0x46;
const IMMUTABLE_KIND = 0x49;
const FOLDER_KIND = 0x47;
const ITEM_BYTES = 100;
const FOLDER_BYTES = 61;

function build(prefix: number[], kind: number, size: number, mailbox: SimMailbox, a: number, b: number) {
  const out = Buffer.alloc(size);
  prefix.forEach((v, i) => {
    out[i] = v;
  });
  out[4] = kind;
  out.writeUInt16BE(mailbox.index, 5);
  out.writeUInt32BE(a, 7);
  out.writeUInt32BE(b, 11);
  // Filler from the GUID (a different mix than EWS ids) so the id looks long and opaque.
  for (let i = 15; i < size; i++) out[i] = mailbox.guid[(i - 15) % 16]! ^ (i >= 31 ? (i * 53) & 0xff : 0);
  // Graph ids are base64url but keep the '=' padding (e.g. "AAMkADNkNAAASq35xAAA=").
  return out.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function graphFolderId(mailbox: SimMailbox, folderSerial: number): string {
  return build(FOLDER_PREFIX, FOLDER_KIND, FOLDER_BYTES, mailbox, folderSerial, 0);
}

export function graphItemId(mailbox: SimMailbox, folderSerial: number, rec: ItemRecord, immutable: boolean) {
  if (!immutable) return build(ITEM_PREFIX, ITEM_KIND, ITEM_BYTES, mailbox, folderSerial, rec.serial);
  const origin = rec.value.origin ?? { folderSerial, serial: rec.serial };
  return build(IMMUTABLE_PREFIX, IMMUTABLE_KIND, ITEM_BYTES, mailbox, origin.folderSerial, origin.serial);
}

/** Identity of an item across moves (what its immutable id encodes). */
export function originKey(folderSerial: number, rec: ItemRecord): string {
  const origin = rec.value.origin ?? { folderSerial, serial: rec.serial };
  return `${origin.folderSerial}/${origin.serial}`;
}

/**
 * The folder serial a Graph folder id names in `mailbox`; undefined if it is not a folder id of
 * this scheme, 0 if it is one of another mailbox (Graph answers "not found" for those).
 */
export function parseGraphFolderId(mailbox: SimMailbox, id: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(id)) return undefined;
  const b = Buffer.from(id.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (b.length !== FOLDER_BYTES || b[4] !== FOLDER_KIND) return undefined;
  if (FOLDER_PREFIX.some((v, i) => b[i] !== v)) return undefined;
  if (b.readUInt16BE(5) !== mailbox.index || !b.subarray(15, 31).equals(mailbox.guid)) return 0;
  return b.readUInt32BE(7);
}

/** The user's object id (a GUID), derived from the mailbox GUID. */
export function userObjectId(mailbox: SimMailbox): string {
  const h = Buffer.from(mailbox.guid).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A deterministic GUID-shaped string from a seed and a label (tenant and client ids). */
export function guidFrom(bytes: Buffer): string {
  const h = bytes.toString('hex').padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
