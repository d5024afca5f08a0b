// The GraphError for a non-200 answer that is neither a redirect nor a first 401 (the client
// handles those before): body read with a small cap, classified by the one table in classify.ts.

import { readCappedText } from '../http/read-capped-text.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { classifyErrorAnswer, matchingRule } from './classify.js';
import { GraphError } from './errors.js';
import { parseErrorBody } from './parse-answer.js';

/** Error bodies are read only this far: Graph's are a few hundred bytes. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** The server's code and message are cut to this many characters in our message. */
export const SERVER_TEXT_LIMIT = 500;

export interface Operation {
  /** For messages: "messages delta", "get mailFolder", ... */
  name: string;
  /** Which application permission the path needs (named in a 403's message). */
  permission: 'Mail.Read' | 'Contacts.Read';
  scope: 'folder' | 'mailbox';
  /** Built from baseUrl rather than a stored link. */
  initial: boolean;
}

export async function errorAnswer(
  operation: Operation,
  response: Response,
  context: { requestId: string; authorization: string; now: number },
): Promise<GraphError> {
  const status = response.status;
  const text = await readCappedText(response, ERROR_BODY_LIMIT).catch(() => '');
  const body = parseErrorBody(text);
  const answer = { status, ...body, scope: operation.scope, initial: operation.initial };
  const kind = classifyErrorAnswer(answer);
  const code = body.code ?? `HTTP_${status}`;
  const said = redact(`${code}: ${body.message ?? 'no error message'}`, context.authorization);
  let message = `${operation.name}: HTTP ${status} ${truncate(said)}`;
  if (status === 403) {
    message +=
      ` (the application needs the ${operation.permission} application permission of Microsoft Graph with admin consent,` +
      ' and no application access policy or RBAC scope may exclude this mailbox)';
  }
  if (kind === 'transient' && matchingRule(answer).kind === 'invalidSyncState') {
    message += ' (a reset on a request without a link: nothing to reset, retried later)';
  }
  const retryAfterMs =
    kind === 'throttled' ? parseRetryAfter(response.headers.get('retry-after'), context.now) : undefined;
  return new GraphError(kind, code, message, {
    status,
    requestId: context.requestId,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(body.innerCode === undefined ? {} : { innerCode: body.innerCode }),
  });
}

function truncate(text: string): string {
  return text.length <= SERVER_TEXT_LIMIT ? text : `${text.slice(0, SERVER_TEXT_LIMIT)}…`;
}

/** Our bearer token never appears in an error, even if a server or proxy echoes it. */
export function redact(text: string, authorization: string): string {
  const token = authorization.replace(/^Bearer\s+/i, '');
  return token.length >= 6 ? text.split(token).join('[token]') : text;
}
