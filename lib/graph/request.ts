// One GET to Graph: headers every request needs, no redirects, one retry with a fresh token after a
// 401, the answer read with a size cap and parsed as JSON, and every failure turned into a
// GraphError (token endpoint failures keep their kind).

import { TokenRequestError } from '../auth/token-request-error.js';
import { BodyTooLargeError, readCappedText } from '../http/read-capped-text.js';
import { describeRedirect, inspectRedirect } from '../http/redirect.js';
import { errorAnswer, type Operation, redact } from './error-answer.js';
import { GraphError, GraphProtocolError } from './errors.js';
import type { CallContext, GraphAuth } from './types.js';

export const DEFAULT_TIMEOUT_MS = 60_000;

/** GraphClientOptions with the defaults applied. */
export interface RequestSettings {
  auth: GraphAuth;
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  maxResponseBytes: number;
  maxPageSize: number;
  userAgent: string;
}

/** GET `url` and parse its JSON; one retry with a fresh token after a 401. */
export async function getJson(
  settings: RequestSettings,
  operation: Operation,
  url: string,
  ctx: CallContext,
): Promise<unknown> {
  const { requestId } = ctx;
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  let authorization = '';
  try {
    for (let attempt = 0; ; attempt++) {
      authorization = await settings.auth.authorization(signal);
      const response = await settings.fetch(url, {
        method: 'GET',
        headers: {
          authorization,
          accept: 'application/json',
          prefer: `odata.maxpagesize=${settings.maxPageSize}, IdType="ImmutableId"`,
          'client-request-id': requestId,
          'return-client-request-id': 'true',
          'user-agent': settings.userAgent,
        },
        signal,
        // Never followed: see lib/http/redirect.ts.
        redirect: 'manual',
      });
      const redirect = inspectRedirect(response, url);
      if (redirect !== undefined) {
        await response.body?.cancel().catch(() => undefined);
        // Graph does not redirect API calls: a 3xx comes from a proxy or a wrong baseUrl (another
        // cloud), which retrying cannot fix, so an operator is told instead of retrying forever.
        throw new GraphError(
          'permanent',
          redirect.followed ? 'RedirectFollowed' : `HTTP_${redirect.status}`,
          describeRedirect(operation.name, redirect),
          {
            status: redirect.status,
            requestId,
          },
        );
      }
      if (response.status === 401 && attempt === 0) {
        // Tokens expire (or are revoked) before our cache knows: one fresh token, same call.
        await response.body?.cancel().catch(() => undefined);
        settings.auth.invalidate(authorization);
        continue;
      }
      if (response.status !== 200) {
        throw await errorAnswer(operation, response, { requestId, authorization, now: settings.now() });
      }
      ctx.onAnswer?.();
      const text = await readCappedText(response, settings.maxResponseBytes);
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new GraphProtocolError('MalformedJson', `${operation.name}: the answer is not JSON`, {
          status: 200,
          requestId,
          cause: error,
        });
      }
    }
  } catch (error) {
    throw transportError(error, operation, { requestId, authorization, timeout, signal: ctx.signal });
  }
}

export function op(
  name: string,
  permission: Operation['permission'],
  scope: Operation['scope'],
  link: string | undefined,
): Operation {
  return { name, permission, scope, initial: link === undefined };
}

function transportError(
  error: unknown,
  operation: Operation,
  context: {
    requestId: string;
    authorization: string;
    timeout: AbortSignal;
    signal: AbortSignal | undefined;
  },
): GraphError {
  const { requestId } = context;
  if (error instanceof GraphError) return error;
  if (error instanceof TokenRequestError) {
    return new GraphError(error.kind, error.code, `${operation.name}: ${error.message}`, {
      requestId,
      cause: error,
      ...(error.httpStatus === undefined ? {} : { status: error.httpStatus }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  }
  if (error instanceof BodyTooLargeError) {
    return new GraphProtocolError('ResponseTooLarge', `${operation.name}: ${error.message}`, {
      status: error.httpStatus,
      requestId,
    });
  }
  if (context.timeout.aborted) {
    return new GraphError(
      'transient',
      'Timeout',
      `${operation.name} timed out (client-request-id ${requestId})`,
      { requestId, cause: error },
    );
  }
  if (context.signal?.aborted) {
    return new GraphError('transient', 'Aborted', `${operation.name} aborted by the caller`, {
      requestId,
      cause: error,
    });
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const detail = redact(cause?.code ?? String(error), context.authorization);
  return new GraphError('transient', 'NetworkError', `${operation.name} failed: ${detail}`, {
    requestId,
    cause: error,
  });
}
