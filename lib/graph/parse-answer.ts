// Graph's JSON answers, validated with zod/mini: anything malformed is a GraphProtocolError, never
// a partial page. Only what the client relies on is checked (value array, string ids and links,
// exactly one link); other fields are handed on as received.

import * as z from 'zod/mini';
import { GraphProtocolError } from './errors.js';
import type { DeltaPage, GraphFolder, GraphFolderEntry, GraphItemEntry } from './types.js';

const id = z.string().check(z.minLength(1));
/** Graph may send null for a property without a value. */
const optionalString = z.optional(z.nullable(z.string()));
const removed = z.optional(z.object({ reason: z.enum(['deleted', 'changed']) }));

const pageSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.optional(z.string()),
  '@odata.deltaLink': z.optional(z.string()),
});

const folderSchema = z.object({
  id,
  displayName: optionalString,
  parentFolderId: optionalString,
  '@removed': removed,
});

const itemSchema = z.looseObject({
  id,
  changeKey: optionalString,
  '@odata.type': z.optional(z.string()),
  '@odata.etag': z.optional(z.unknown()),
  '@removed': removed,
});

/** error.code, error.message and error.innerError.code of an error answer; all optional. */
const errorBodySchema = z.object({
  error: z.object({
    code: z.optional(z.string()),
    message: z.optional(z.string()),
    innerError: z.optional(z.object({ code: z.optional(z.string()) })),
  }),
});

export interface GraphErrorBody {
  code?: string;
  message?: string;
  innerCode?: string;
}

export interface PageLimits {
  /** Refuse pages with more entries: the server ignored odata.maxpagesize beyond reason. */
  maxEntries: number;
  /** Checks a link in the answer (same origin and path prefix as baseUrl); returns it or throws. */
  checkLink: (link: string) => string;
}

function describeIssues(error: z.core.$ZodError, where: string): string {
  const issue = error.issues[0];
  const path =
    issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
  return `${where}: unexpected JSON shape${path} (${issue?.code ?? 'invalid'})`;
}

function parsePage<T>(
  json: unknown,
  limits: PageLimits,
  parseEntry: (entry: unknown, index: number) => T,
): DeltaPage<T> {
  const page = pageSchema.safeParse(json);
  if (!page.success)
    throw new GraphProtocolError('MalformedAnswer', describeIssues(page.error, 'delta page'));
  const { value } = page.data;
  const nextLink = page.data['@odata.nextLink'];
  const deltaLink = page.data['@odata.deltaLink'];
  if ((nextLink === undefined) === (deltaLink === undefined)) {
    const which = nextLink === undefined ? 'neither' : 'both';
    throw new GraphProtocolError(
      'MalformedAnswer',
      `delta page has ${which} @odata.nextLink and @odata.deltaLink`,
    );
  }
  if (value.length > limits.maxEntries) {
    throw new GraphProtocolError(
      'TooManyEntries',
      `delta page has ${value.length} entries, more than the ${limits.maxEntries} accepted (10 x maxPageSize)`,
    );
  }
  const entries = value.map(parseEntry);
  return nextLink !== undefined
    ? { value: entries, nextLink: limits.checkLink(nextLink) }
    : { value: entries, deltaLink: limits.checkLink(deltaLink!) };
}

export function parseFolderPage(json: unknown, limits: PageLimits): DeltaPage<GraphFolderEntry> {
  return parsePage(json, limits, (entry, index) => {
    const parsed = folderSchema.safeParse(entry);
    if (!parsed.success)
      throw new GraphProtocolError('MalformedAnswer', describeIssues(parsed.error, `folder entry ${index}`));
    const { id, displayName, parentFolderId } = parsed.data;
    return {
      id,
      ...(displayName == null ? {} : { displayName }),
      ...(parentFolderId == null ? {} : { parentFolderId }),
      ...(parsed.data['@removed'] === undefined ? {} : { removed: parsed.data['@removed'].reason }),
    };
  });
}

export function parseItemPage(json: unknown, limits: PageLimits): DeltaPage<GraphItemEntry> {
  return parsePage(json, limits, (entry, index) => {
    const parsed = itemSchema.safeParse(entry);
    if (!parsed.success)
      throw new GraphProtocolError('MalformedAnswer', describeIssues(parsed.error, `item entry ${index}`));
    const { id, changeKey, '@odata.type': odataType, '@removed': removedField, ...props } = parsed.data;
    const version = changeKey ?? changeKeyFromEtag(parsed.data['@odata.etag']);
    return {
      id,
      ...(version == null ? {} : { changeKey: version }),
      ...(removedField === undefined ? {} : { removed: removedField.reason }),
      ...(odataType === undefined ? {} : { odataType }),
      props,
    };
  });
}

/** Outlook's @odata.etag echoes the changeKey: W/"CQAAABYA..." (GDC message-get samples). */
function changeKeyFromEtag(etag: unknown): string | undefined {
  if (typeof etag !== 'string') return undefined;
  return /^(?:W\/)?"([^"]+)"$/.exec(etag)?.[1];
}

export function parseFolder(json: unknown): GraphFolder {
  const parsed = folderSchema.safeParse(json);
  if (!parsed.success)
    throw new GraphProtocolError('MalformedAnswer', describeIssues(parsed.error, 'folder'));
  const { id, displayName, parentFolderId } = parsed.data;
  return {
    id,
    ...(displayName == null ? {} : { displayName }),
    ...(parentFolderId == null ? {} : { parentFolderId }),
  };
}

/** What an error answer's body said; empty when it is not Graph's error JSON. */
export function parseErrorBody(text: string): GraphErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return {};
  const { code, message, innerError } = parsed.data.error;
  return {
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
    ...(innerError?.code === undefined ? {} : { innerCode: innerError.code }),
  };
}
