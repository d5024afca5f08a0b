// HTTP shapes shared by the Graph routes: the answer type the server writes, Graph's JSON error
// body (with innerError date and request ids, as clients log them) and the Prefer header.
import { randomUUID } from 'node:crypto';

export type GraphHttpResponse =
  | { kind: 'drop' }
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string };

export interface GraphHttpRequest {
  method: string;
  /** Path and query as received (req.url). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function header(headers: GraphHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function jsonResponse(
  status: number,
  value: unknown,
  requestId: string,
  clientRequestId: string | undefined,
  extra: Record<string, string> = {},
): GraphHttpResponse {
  return {
    kind: 'response',
    status,
    headers: {
      'Content-Type':
        status < 300
          ? 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
          : 'application/json',
      'request-id': requestId,
      ...(clientRequestId ? { 'client-request-id': clientRequestId } : {}),
      'x-ms-ags-diagnostic':
        '{"ServerInfo":{"DataCenter":"Simulator","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"SIM"}}',
      ...extra,
    },
    body: JSON.stringify(value),
  };
}

export function errorBody(code: string, message: string, requestId: string, clientRequestId?: string) {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? randomUUID(),
      },
    },
  };
}

export interface Preferences {
  maxPageSize?: number;
  immutableIds: boolean;
}

/** Prefer: odata.maxpagesize=N, IdType="ImmutableId" (one header or several, any case). */
export function parsePrefer(value: string | undefined): Preferences {
  const out: Preferences = { immutableIds: false };
  for (const part of (value ?? '').split(',')) {
    const [rawKey, rawValue = ''] = part.split('=', 2);
    const key = rawKey!.trim().toLowerCase();
    const v = rawValue.trim().replace(/^"|"$/g, '');
    if (key === 'odata.maxpagesize' && /^\d+$/.test(v) && Number(v) > 0) out.maxPageSize = Number(v);
    if (key === 'idtype' && v.toLowerCase() === 'immutableid') out.immutableIds = true;
  }
  return out;
}

/** A request-level failure with Graph's status and error code. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
