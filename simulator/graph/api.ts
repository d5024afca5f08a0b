// Microsoft Graph v1.0 over the simulator's organisation: the token endpoint, Bearer checks, user
// resolution, permission (403), the shared fault knobs (drop, 503 + Retry-After, transient 500,
// latency), MailboxConcurrency throttling (429) and statistics, in front of the routes. It is
// served by the same listener as EWS and reads the same mailboxes, so mutations made through
// either side are seen by both.
import { randomUUID } from 'node:crypto';
import type { SimulatorConfig } from '../config.js';
import type { SimMailbox } from '../mailbox.js';
import type { Organisation } from '../organisation.js';
import { hashSeed, Random } from '../random.js';
import type { SimulatorStats } from '../stats.js';
import { defaultCredentials, GraphAuthority, type GraphCredentials } from './auth.js';
import { DeltaTokenCodec, DeltaTokenError } from './delta-token.js';
import { UnknownPropertyError } from './entities.js';
import { type FolderCollection, inCollection, resolveFolder, rootSerial } from './folders.js';
import { admit } from './gate.js';
import {
  errorBody,
  GraphError,
  type GraphHttpRequest,
  type GraphHttpResponse,
  header,
  jsonResponse,
  parsePrefer,
} from './http.js';
import { userObjectId } from './ids.js';
import { route } from './routes.js';
import {
  fullMailboxTruth,
  type GraphTruthItem,
  type GraphTruthMailbox,
  itemsTruth,
  mailboxTruth,
} from './truth.js';

/** What the Graph side needs of the simulator (kept narrow to avoid an import cycle). */
export interface GraphHost {
  readonly org: Organisation;
  readonly config: SimulatorConfig;
  readonly stats: SimulatorStats;
  readonly seed: number;
}

export interface GraphApiOptions {
  credentials?: Partial<GraphCredentials>;
  sleep: (ms: number) => Promise<void>;
}

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/i;
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export function isGraphPath(pathname: string): boolean {
  return pathname.toLowerCase().startsWith('/v1.0/') || TOKEN_PATH.test(pathname);
}

export class GraphApi {
  readonly authority: GraphAuthority;
  private readonly codec = new DeltaTokenCodec();
  private rng: Random;
  private rngSeed: number;

  constructor(
    private readonly host: GraphHost,
    private readonly options: GraphApiOptions,
  ) {
    const credentials = { ...defaultCredentials(host.seed), ...options.credentials };
    this.authority = new GraphAuthority(credentials, [host.org.domain]);
    this.rngSeed = host.config.faultSeed;
    this.rng = new Random(hashSeed(this.rngSeed, 'graph'));
  }

  get credentials(): GraphCredentials {
    return this.authority.credentials;
  }

  // ----- ground truth

  groundTruth(): GraphTruthMailbox[] {
    return this.host.org.mailboxes.map(mailboxTruth);
  }

  mailboxTruth(mailbox: SimMailbox) {
    return fullMailboxTruth(mailbox);
  }

  /**
   * Items of a folder named by Graph id or well-known name (or, as `ewsSerial`, the folder an EWS
   * id or distinguished name resolved to); undefined if that is no Graph mail or contact folder.
   */
  items(mailbox: SimMailbox, folder: string, ewsSerial?: number): GraphTruthItem[] | undefined {
    const collections: FolderCollection[] = ['mailFolders', 'contactFolders'];
    for (const collection of collections) {
      const resolved = resolveFolder(mailbox, collection, folder);
      if (resolved.ok) return itemsTruth(mailbox, resolved.serial, collection);
    }
    const rec = ewsSerial === undefined ? undefined : mailbox.folder(ewsSerial);
    if (rec?.deletedCn !== 0) return undefined;
    for (const collection of collections) {
      const isRoot = collection === 'mailFolders' && rec.serial === rootSerial(mailbox);
      if (isRoot || inCollection(mailbox, collection, rec))
        return itemsTruth(mailbox, rec.serial, collection);
    }
    return undefined;
  }

  findMailbox(user: string): SimMailbox | undefined {
    return (
      this.host.org.mailbox(user) ??
      this.host.org.mailboxes.find((m) => userObjectId(m) === user.toLowerCase())
    );
  }

  // ----- HTTP

  async handle(request: GraphHttpRequest): Promise<GraphHttpResponse> {
    const at = Date.now();
    const { stats } = this.host;
    const config = this.host.config;
    const requestId = randomUUID();
    const clientRequestId = header(request.headers, 'client-request-id');
    const url = new URL(request.url, 'http://localhost');
    const respond = (status: number, json: unknown, extra: Record<string, string> = {}) =>
      jsonResponse(status, json, requestId, clientRequestId, extra);
    const fail = (status: number, code: string, message: string, extra: Record<string, string> = {}) =>
      respond(status, errorBody(code, message, requestId, clientRequestId), extra);
    const log = (operation: string, status: number, outcome: string, mailbox?: string) =>
      stats.record({
        at,
        operation,
        status,
        outcome,
        ...(mailbox ? { mailbox } : {}),
        ...(clientRequestId ? { clientRequestId } : {}),
      });
    if (config.faultSeed !== this.rngSeed) {
      this.rngSeed = config.faultSeed;
      this.rng = new Random(hashSeed(this.rngSeed, 'graph'));
    }

    const tokenPath = TOKEN_PATH.exec(url.pathname);
    if (tokenPath) {
      stats.countRequest('Graph:token');
      if (request.method !== 'POST') return fail(405, 'invalid_request', 'The token endpoint takes POST.');
      const answer = this.authority.token(decodeURIComponent(tokenPath[1]!), request.body);
      const outcome = (answer.json as { error?: string }).error ?? 'NoError';
      log('Graph:token', answer.status, outcome);
      // Entra answers plain JSON without Graph's diagnostics headers.
      return {
        kind: 'response',
        status: answer.status,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache' },
        body: JSON.stringify(answer.json),
      };
    }

    const problem = this.authority.verify(header(request.headers, 'authorization'));
    if (problem !== undefined) {
      stats.unauthorized++;
      log('Graph:(unauthorized)', 401, 'InvalidAuthenticationToken');
      return fail(401, 'InvalidAuthenticationToken', problem, { 'WWW-Authenticate': WWW_AUTHENTICATE });
    }
    const segments = url.pathname.slice('/v1.0/'.length).split('/').filter(Boolean).map(decodeURIComponent);
    const first = segments[0]?.toLowerCase();
    if (first === 'me') {
      log('Graph:(invalid)', 400, 'BadRequest');
      return fail(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    }
    if (first !== 'users' || segments.length < 2) {
      log('Graph:(invalid)', 400, 'BadRequest');
      return fail(400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
    }
    const userSegment = segments[1]!;
    const mailbox = this.findMailbox(userSegment);
    if (!mailbox) {
      log('Graph:(invalid)', 404, 'ErrorInvalidUser');
      return fail(404, 'ErrorInvalidUser', `The requested user '${userSegment}' is invalid.`);
    }
    const smtp = mailbox.smtp;
    const prefer = parsePrefer(header(request.headers, 'prefer'));
    const pageSize = prefer.maxPageSize
      ? Math.min(prefer.maxPageSize, config.graph.maxPageSize)
      : config.graph.defaultPageSize;
    const host = header(request.headers, 'host') ?? 'localhost';
    const serviceRoot = `http://${host}/v1.0`;
    const target = route({
      mailbox,
      userSegment,
      segments: segments.slice(2),
      query: url.searchParams,
      pageSize,
      immutableIds: prefer.immutableIds,
      serviceRoot,
    });
    if (!target) {
      log('Graph:(invalid)', 400, 'BadRequest', smtp);
      return fail(400, 'BadRequest', `Resource not found for the segment '${segments.at(-1) ?? ''}'.`);
    }
    const operation = target.operation;
    stats.countRequest(operation);
    if (request.method !== 'GET') {
      log(operation, 405, 'MethodNotAllowed', smtp);
      return fail(405, 'Request_BadRequest', 'The requested HTTP method is not supported for this resource.');
    }
    const refusal = admit(config, stats, this.rng, smtp);
    if (refusal) {
      log(operation, refusal.status, refusal.outcome, smtp);
      if (refusal.status === 0) return { kind: 'drop' };
      return fail(refusal.status, refusal.code, refusal.message, refusal.headers);
    }

    stats.enterGraph(smtp);
    try {
      const { fixedMs, jitterMs } = config.latency;
      const wait = fixedMs + (jitterMs > 0 ? this.rng.next() * jitterMs : 0);
      // The latency is the whole answer time: computed while the timer runs (see simulator.ts).
      const answered = wait > 0 ? this.options.sleep(wait) : undefined;
      try {
        const answer = target.run({ codec: this.codec, rng: this.rng, config: this.host.config });
        const applied = [
          ...(prefer.maxPageSize ? [`odata.maxpagesize=${pageSize}`] : []),
          ...(prefer.immutableIds ? ['IdType="ImmutableId"'] : []),
        ];
        const code = (answer.json as { error?: { code?: string } }).error?.code ?? 'NoError';
        log(operation, answer.status, code, smtp);
        return respond(answer.status, answer.json, {
          ...(applied.length > 0 && answer.status === 200
            ? { 'Preference-Applied': applied.join(', ') }
            : {}),
          ...answer.headers,
        });
      } finally {
        await answered;
      }
    } catch (error) {
      if (error instanceof GraphError || error instanceof DeltaTokenError) {
        log(operation, error.status, error.code, smtp);
        return fail(error.status, error.code, error.message);
      }
      if (error instanceof UnknownPropertyError) {
        log(operation, 400, 'RequestBroker--ParseUri', smtp);
        return fail(400, 'RequestBroker--ParseUri', error.message);
      }
      throw error;
    } finally {
      stats.leaveGraph(smtp);
    }
  }
}
