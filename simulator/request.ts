// Parsing of EWS requests. Namespace prefixes are ignored (s:, soap:, SOAP-ENV:, default
// namespaces all occur); the shape is validated the way the schema would, and violations become
// ErrorSchemaValidation faults.
import { XMLParser } from 'fast-xml-parser';
import { KNOWN_FOLDER_FIELDS, KNOWN_ITEM_FIELDS, type ResponseShape } from './item-xml.js';
import { schemaError } from './soap.js';

const ARRAYS = new Set([
  'ItemId',
  'FolderId',
  'DistinguishedFolderId',
  'FieldURI',
  'ExtendedFieldURI',
  'IndexedFieldURI',
]);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
  processEntities: true,
});

// GetFolder mixes FolderId and DistinguishedFolderId and is answered in request order, which the
// grouped object form loses; its ids are read from an order-preserving parse.
const orderedParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseTagValue: false,
  parseAttributeValue: false,
});

type Node = Record<string, unknown>;
type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function findOrdered(nodes: OrderedNode[], name: string): OrderedNode[] | undefined {
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@' || !Array.isArray(node[key])) continue;
      if (key === name) return node[key] as OrderedNode[];
      const found = findOrdered(node[key] as OrderedNode[], name);
      if (found) return found;
    }
  }
  return undefined;
}

export const OPERATIONS = ['SyncFolderItems', 'SyncFolderHierarchy', 'GetItem', 'GetFolder'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const DISTINGUISHED_NAMES = new Set([
  'calendar',
  'contacts',
  'deleteditems',
  'drafts',
  'inbox',
  'journal',
  'notes',
  'outbox',
  'sentitems',
  'tasks',
  'msgfolderroot',
  'publicfoldersroot',
  'root',
  'junkemail',
  'searchfolders',
  'voicemail',
  'recoverableitemsroot',
  'recoverableitemsdeletions',
  'recoverableitemsversions',
  'recoverableitemspurges',
  'archiveroot',
  'archivemsgfolderroot',
  'archivedeleteditems',
  'archiveinbox',
  'conversationhistory',
  'archive',
  'syncissues',
  'conflicts',
  'localfailures',
  'serverfailures',
  'quickcontacts',
  'favorites',
  'todosearch',
  'clutter',
]);

/** RequestServerVersion values Exchange Online accepts; anything else is ErrorInvalidServerVersion. */
export const SERVER_VERSIONS: ReadonlySet<string> = new Set([
  'Exchange2007',
  'Exchange2007_SP1',
  'Exchange2009',
  'Exchange2010',
  'Exchange2010_SP1',
  'Exchange2010_SP2',
  'Exchange2013',
  'Exchange2013_SP1',
  'Exchange2015',
  'Exchange2016',
  'V2015_10_05',
  'V2016_01_06',
  'V2016_04_13',
  'V2016_07_13',
  'V2016_10_10',
  'V2017_01_07',
  'V2017_04_14',
  'V2017_07_11',
  'V2017_10_09',
  'V2018_01_08',
]);

export type FolderRef = { distinguishedId: string; mailbox?: string } | { id: string };

export interface ParsedEnvelope {
  operation: Operation | string;
  /** The impersonated mailbox (ExchangeImpersonation/ConnectingSID), if any. */
  impersonate?: string;
  requestServerVersion?: string;
  body: Node;
  /** The request as received, for the rare operation that needs an order-preserving view. */
  xml: string;
}

export interface SyncItemsRequest {
  shape: ResponseShape;
  folder: FolderRef;
  syncState?: string;
  ignore: string[];
  maxChanges: number;
  scope: 'NormalItems' | 'NormalAndAssociatedItems';
}

export interface SyncHierarchyRequest {
  shape: ResponseShape;
  folder?: FolderRef;
  syncState?: string;
}

function child(node: unknown, name: string): Node | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as Node)[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { '#text': value };
  return value as Node;
}

function text(node: unknown, name: string): string | undefined {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const inner = (value as Node)['#text'];
  return typeof inner === 'string' ? inner : '';
}

function list(node: unknown, name: string): Node[] {
  const value = node && typeof node === 'object' ? (node as Node)[name] : undefined;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    typeof v === 'string' ? { '#text': v } : (v as Node),
  );
}

export function parseEnvelope(xml: string): ParsedEnvelope {
  let doc: Node;
  try {
    doc = parser.parse(xml.trim(), true) as Node;
  } catch (error) {
    throw schemaError(`The request is not well-formed XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const envelope = child(doc, 'Envelope');
  const body = child(envelope, 'Body');
  if (!envelope || !body) throw schemaError('The SOAP envelope or body is missing.');
  const header = child(envelope, 'Header');
  const sid = child(child(header, 'ExchangeImpersonation'), 'ConnectingSID');
  const impersonate = sid
    ? (text(sid, 'SmtpAddress') ?? text(sid, 'PrimarySmtpAddress') ?? text(sid, 'PrincipalName'))
    : undefined;
  const operation = Object.keys(body).find((k) => typeof body[k] === 'object' || body[k] === '') ?? '';
  const requestServerVersion = child(header, 'RequestServerVersion')?.Version as string | undefined;
  return {
    operation,
    ...(impersonate !== undefined ? { impersonate: impersonate.trim() } : {}),
    ...(requestServerVersion ? { requestServerVersion } : {}),
    body: child(body, operation) ?? {},
    xml,
  };
}

function parseShape(node: Node | undefined, element: string, known: ReadonlySet<string>): ResponseShape {
  if (!node) throw schemaError(`The element '${element}' is missing.`);
  const base = text(node, 'BaseShape');
  if (base !== 'IdOnly' && base !== 'Default' && base !== 'AllProperties') {
    throw schemaError(`The 'BaseShape' element is invalid - The value '${base ?? ''}' is invalid.`);
  }
  const additional = new Set<string>();
  for (const uri of list(child(node, 'AdditionalProperties'), 'FieldURI')) {
    const name = String(uri.FieldURI ?? '').split(':')[1] ?? '';
    // Exchange rejects unknown FieldURIs at schema level; those of other types are simply absent.
    if (!name)
      throw schemaError(
        `The 'FieldURI' attribute is invalid - The value '${String(uri.FieldURI)}' is invalid.`,
      );
    if (known.has(name)) additional.add(name);
  }
  return { base, additional };
}

function parseFolderRef(container: Node | undefined): FolderRef | undefined {
  if (!container) return undefined;
  const id = list(container, 'FolderId')[0];
  if (id) return { id: String(id.Id ?? '') };
  const distinguished = list(container, 'DistinguishedFolderId')[0];
  if (!distinguished) return undefined;
  const name = String(distinguished.Id ?? '');
  if (!DISTINGUISHED_NAMES.has(name)) {
    throw schemaError(
      `The 'Id' attribute is invalid - The value '${name}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:DistinguishedFolderIdNameType' - The Enumeration constraint failed.`,
    );
  }
  const mailbox = text(child(distinguished, 'Mailbox'), 'EmailAddress');
  return { distinguishedId: name, ...(mailbox ? { mailbox } : {}) };
}

export function parseSyncItems(body: Node): SyncItemsRequest {
  const shape = parseShape(child(body, 'ItemShape'), 'ItemShape', KNOWN_ITEM_FIELDS);
  const folder = parseFolderRef(child(body, 'SyncFolderId'));
  if (!folder)
    throw schemaError("The element 'SyncFolderItems' has incomplete content: 'SyncFolderId' is expected.");
  const rawMax = text(body, 'MaxChangesReturned');
  if (rawMax === undefined)
    throw schemaError(
      "The element 'SyncFolderItems' has incomplete content: 'MaxChangesReturned' is expected.",
    );
  const maxChanges = /^\s*\d+\s*$/.test(rawMax) ? Number(rawMax) : Number.NaN;
  if (!(maxChanges >= 1 && maxChanges <= 512)) {
    throw schemaError(
      `The 'MaxChangesReturned' element is invalid - The value '${rawMax}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:MaxSyncChangesReturnedType' - The MaxInclusive constraint failed.`,
    );
  }
  const scope = text(body, 'SyncScope') ?? 'NormalItems';
  if (scope !== 'NormalItems' && scope !== 'NormalAndAssociatedItems') {
    throw schemaError(`The 'SyncScope' element is invalid - The value '${scope}' is invalid.`);
  }
  const syncState = text(body, 'SyncState');
  return {
    shape,
    folder,
    ...(syncState ? { syncState } : {}),
    ignore: list(child(body, 'Ignore'), 'ItemId').map((n) => String(n.Id ?? '')),
    maxChanges,
    scope,
  };
}

export function parseSyncHierarchy(body: Node): SyncHierarchyRequest {
  const shape = parseShape(child(body, 'FolderShape'), 'FolderShape', KNOWN_FOLDER_FIELDS);
  const folder = parseFolderRef(child(body, 'SyncFolderId'));
  const syncState = text(body, 'SyncState');
  return { shape, ...(folder ? { folder } : {}), ...(syncState ? { syncState } : {}) };
}

export function parseGetItem(body: Node): { shape: ResponseShape; ids: string[] } {
  const shape = parseShape(child(body, 'ItemShape'), 'ItemShape', KNOWN_ITEM_FIELDS);
  const ids = list(child(body, 'ItemIds'), 'ItemId').map((n) => String(n.Id ?? ''));
  if (ids.length === 0) throw schemaError("The element 'ItemIds' has incomplete content.");
  return { shape, ids };
}

export function parseGetFolder(body: Node, xml: string): { shape: ResponseShape; folders: FolderRef[] } {
  const shape = parseShape(child(body, 'FolderShape'), 'FolderShape', KNOWN_FOLDER_FIELDS);
  const refs: FolderRef[] = [];
  for (const node of findOrdered(orderedParser.parse(xml.trim()) as OrderedNode[], 'FolderIds') ?? []) {
    const attrs = node[':@'] ?? {};
    if ('FolderId' in node) refs.push({ id: String(attrs.Id ?? '') });
    else if ('DistinguishedFolderId' in node) {
      const ref = parseFolderRef({ DistinguishedFolderId: [{ Id: attrs.Id ?? '' }] });
      if (ref) refs.push(ref);
    }
  }
  if (refs.length === 0) throw schemaError("The element 'FolderIds' has incomplete content.");
  return { shape, folders: refs };
}
