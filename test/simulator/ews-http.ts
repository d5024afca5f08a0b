// Test support: raw EWS calls over HTTP to a running simulator, with requests built and answers
// parsed by the project's own EWS client code (lib/ews), not by anything simulator-specific.
import {
  buildGetFolderRequest,
  buildGetItemRequest,
  buildSyncFolderHierarchyRequest,
  buildSyncFolderItemsRequest,
  type GetFolderRequest,
  type GetItemRequest,
  parseGetFolderResponse,
  parseGetItemResponse,
  parseSyncFolderHierarchyResponse,
  parseSyncFolderItemsResponse,
  type SyncFolderHierarchyRequest,
  type SyncFolderItemsRequest,
} from '../../lib/ews/index.js';
import type { RunningSimulator } from '../../simulator/server.js';

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export async function postEws(
  run: RunningSimulator,
  xml: string,
  options: { authorization?: string | null; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const authorization =
    options.authorization === undefined ? basicAuth(run.username, run.password) : options.authorization;
  const response = await fetch(run.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/xml; charset=utf-8',
      ...(authorization ? { Authorization: authorization } : {}),
      ...options.headers,
    },
    body: xml,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

export async function syncItems(run: RunningSimulator, request: SyncFolderItemsRequest) {
  const answer = await postEws(run, buildSyncFolderItemsRequest(request));
  return parseSyncFolderItemsResponse(answer.body, { httpStatus: answer.status });
}

export async function syncHierarchy(run: RunningSimulator, request: SyncFolderHierarchyRequest) {
  const answer = await postEws(run, buildSyncFolderHierarchyRequest(request));
  return parseSyncFolderHierarchyResponse(answer.body, { httpStatus: answer.status });
}

export async function getItems(run: RunningSimulator, request: GetItemRequest) {
  const answer = await postEws(run, buildGetItemRequest(request));
  return parseGetItemResponse(answer.body, { httpStatus: answer.status });
}

export async function getFolders(run: RunningSimulator, request: GetFolderRequest) {
  const answer = await postEws(run, buildGetFolderRequest(request));
  return parseGetFolderResponse(answer.body, { httpStatus: answer.status });
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
