// The simulator without its HTTP listener: organisation, sync-state codec, configuration,
// throttling, fault injection and statistics. `handleEws` answers one EWS HTTP request; the
// server (server.ts) only adapts Node's http module to it, and tests may call it directly.
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { authenticate, challengeHeaders } from './auth.js';
import { defaultConfig, mergeConfig, type SimulatorConfig, type SimulatorConfigPatch } from './config.js';
import { GraphApi } from './graph/api.js';
import type { GraphCredentials } from './graph/auth.js';
import type { GraphMailboxTruth, GraphTruthItem, GraphTruthMailbox } from './graph/truth.js';
import { latestCn } from './journal.js';
import type { ItemRecord, SimMailbox } from './mailbox.js';
import type { GroundTruthItem, GroundTruthMailbox } from './model.js';
import { type AppliedMutation, applyRandomMutations, type MutationOptions } from './mutations.js';
import {
  getFolder,
  getItem,
  type OperationContext,
  syncFolderHierarchy,
  syncFolderItems,
} from './operations.js';
import { Organisation } from './organisation.js';
import { hashSeed, Random } from './random.js';
import { OPERATIONS, type Operation, parseEnvelope, SERVER_VERSIONS } from './request.js';
import {
  BUSY_TEXT,
  EwsFaultError,
  errorMessage,
  messageXmlValues,
  responseEnvelope,
  soapFault,
} from './soap.js';
import { SimulatorStats } from './stats.js';
import { SyncStateCodec } from './sync-state.js';

export interface SimulatorOptions {
  seed?: number;
  mailboxes?: number;
  foldersPerMailbox?: number;
  itemsPerMailbox?: number;
  associatedItemsPerFolder?: number;
  domain?: string;
  /** The Basic account (a service account that impersonates the mailboxes). */
  username?: string;
  password?: string;
  bearerTokens?: string[];
  config?: SimulatorConfigPatch;
  /** Graph app registration; deterministic defaults from the seed (see graph/auth.ts). */
  graph?: Partial<GraphCredentials>;
  /** How injected latency waits; tests pass a recorder instead of real time. */
  sleep?: (ms: number) => Promise<void>;
}

export interface EwsHttpRequest {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export type EwsHttpResponse =
  | { kind: 'drop' }
  /** A complete answer, or (`cut`) one whose connection breaks after half of the body. */
  | { kind: 'response' | 'cut'; status: number; headers: Record<string, string | string[]>; body: string };

/** The X-EWS-Policy-Reason Exchange Online sends with 403 for a mailbox whose EWS use is blocked. */
export const EWS_BLOCKED_REASON = 'EWS is blocked by policy for this user or tenant';

const SYNC_OPERATIONS: ReadonlySet<string> = new Set(['SyncFolderItems', 'SyncFolderHierarchy']);
const HANDLERS: Record<
  Operation,
  (ctx: OperationContext, mailbox: SimMailbox, body: Record<string, unknown>, xml: string) => string
> = {
  SyncFolderItems: syncFolderItems,
  SyncFolderHierarchy: syncFolderHierarchy,
  GetItem: getItem,
  GetFolder: getFolder,
};

/** A mailbox or folder named through the programmatic or admin API does not exist (any more). */
export class SimulatorNotFoundError extends Error {
  override readonly name = 'SimulatorNotFoundError';
  constructor(
    readonly smtp: string,
    readonly folderId?: string,
  ) {
    super(folderId === undefined ? `no mailbox ${smtp}` : `no live folder ${folderId} in ${smtp}`);
  }
}

function header(headers: EwsHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class Simulator {
  readonly org: Organisation;
  readonly stats = new SimulatorStats();
  readonly username: string;
  readonly password: string;
  readonly bearerTokens: string[];
  readonly seed: number;
  private currentConfig: SimulatorConfig;
  private faultRng: Random;
  private readonly codec: SyncStateCodec;
  private readonly budgets = new Map<string, number[]>();
  private readonly operationContext: OperationContext;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Microsoft Graph over the same organisation (simulator/graph/). */
  readonly graph: GraphApi;

  constructor(options: SimulatorOptions = {}) {
    this.seed = options.seed ?? 1;
    const domain = options.domain ?? 'contoso.test';
    this.org = Organisation.generate({
      seed: this.seed,
      mailboxes: options.mailboxes ?? 3,
      foldersPerMailbox: options.foldersPerMailbox ?? 5,
      itemsPerMailbox: options.itemsPerMailbox ?? 200,
      associatedItemsPerFolder: options.associatedItemsPerFolder ?? 1,
      domain,
    });
    this.username = options.username ?? `svc-sync@${domain}`;
    this.password = options.password ?? 'simulator';
    this.bearerTokens = options.bearerTokens ?? [];
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.currentConfig = mergeConfig(defaultConfig(this.seed), options.config ?? {});
    this.faultRng = new Random(this.currentConfig.faultSeed);
    // A fresh key per instance: a restarted simulator regenerates its mailboxes without their
    // history, so states it issued before must be refused (as after a restore), not misread.
    this.codec = new SyncStateCodec(randomBytes(32));
    const self = this;
    this.operationContext = {
      codec: this.codec,
      get newestFirst() {
        return self.currentConfig.newestFirst;
      },
      controlCharsFor: (mailbox, folderSerial, rec) => this.controlCharsFor(mailbox, folderSerial, rec),
    };
    this.graph = new GraphApi(this, {
      sleep: this.sleep,
      ...(options.graph ? { credentials: options.graph } : {}),
    });
  }

  // ----- configuration

  get config(): SimulatorConfig {
    return this.currentConfig;
  }

  configure(patch: SimulatorConfigPatch): SimulatorConfig {
    const next = mergeConfig(this.currentConfig, patch);
    if (next.faultSeed !== this.currentConfig.faultSeed) this.faultRng = new Random(next.faultSeed);
    this.currentConfig = next;
    return next;
  }

  // ----- ground truth and mutations

  mailbox(smtp: string): SimMailbox {
    const mailbox = this.org.mailbox(smtp);
    if (!mailbox) throw new SimulatorNotFoundError(smtp);
    return mailbox;
  }

  groundTruth(): GroundTruthMailbox[] {
    return this.org.mailboxes.map((m) => ({ smtp: m.smtp, folders: m.groundTruthFolders() }));
  }

  /** Resolves a folder id or a distinguished name (`inbox`) to its serial in the mailbox. */
  folderSerial(smtp: string, folder: string): number {
    const mailbox = this.mailbox(smtp);
    const serial =
      mailbox.distinguishedSerial(folder) ?? mailbox.liveFolders().find((f) => f.value.id === folder)?.serial;
    if (serial === undefined || mailbox.folder(serial)?.deletedCn !== 0) {
      throw new SimulatorNotFoundError(smtp, folder);
    }
    return serial;
  }

  items(smtp: string, folder: string, options: { includeAssociated?: boolean } = {}): GroundTruthItem[] {
    return this.mailbox(smtp).groundTruthItems(this.folderSerial(smtp, folder), options);
  }

  /** Graph ground truth: per mailbox its user id and the mailFolders/contactFolders delta lists. */
  graphGroundTruth(): GraphTruthMailbox[] {
    return this.graph.groundTruth();
  }

  /** One mailbox as Graph shows it, with the items of every mail and contact folder. */
  graphMailboxTruth(smtp: string): GraphMailboxTruth {
    return this.graph.mailboxTruth(this.mailbox(smtp));
  }

  /** Items a Graph delta of this folder converges to; `folder` is a Graph id, well-known name or EWS id. */
  graphItems(smtp: string, folder: string): GraphTruthItem[] {
    const mailbox = this.mailbox(smtp);
    let ewsSerial: number | undefined;
    try {
      ewsSerial = this.folderSerial(smtp, folder);
    } catch (error) {
      if (!(error instanceof SimulatorNotFoundError)) throw error;
    }
    const items = this.graph.items(mailbox, folder, ewsSerial);
    if (!items) throw new SimulatorNotFoundError(smtp, folder);
    return items;
  }

  mutate(options: MutationOptions): AppliedMutation[] {
    return applyRandomMutations(this.org, options);
  }

  /** As after a mailbox move: every sync state issued so far for these mailboxes becomes invalid. */
  invalidateSyncStates(smtp?: string): void {
    for (const mailbox of smtp ? [this.mailbox(smtp)] : this.org.mailboxes) mailbox.stateEpoch++;
  }

  // ----- EWS

  async handleEws(request: EwsHttpRequest): Promise<EwsHttpResponse> {
    const at = Date.now();
    const anchorMailbox = header(request.headers, 'x-anchormailbox');
    const clientRequestId = header(request.headers, 'client-request-id');
    const log = (operation: string, status: number, outcome: string, mailbox?: string) =>
      this.stats.record({
        at,
        operation,
        status,
        outcome,
        ...(mailbox ? { mailbox } : {}),
        ...(anchorMailbox ? { anchorMailbox } : {}),
        ...(clientRequestId ? { clientRequestId } : {}),
      });
    const respond = (
      status: number,
      body: string,
      extra: Record<string, string | string[]> = {},
    ): Extract<EwsHttpResponse, { status: number }> => ({
      kind: 'response',
      status,
      body,
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        'request-id': randomUUID(),
        'X-BackEndHttpStatus': String(status),
        ...(clientRequestId ? { 'client-request-id': clientRequestId } : {}),
        ...extra,
      },
    });
    const fault = (error: EwsFaultError) =>
      respond(500, soapFault(error.code, error.faultString, error.messageXml));

    const auth = authenticate(header(request.headers, 'authorization'), this);
    if (!auth.ok) {
      this.stats.unauthorized++;
      log('(unauthorized)', 401, 'Unauthorized');
      return { kind: 'response', status: 401, body: '', headers: challengeHeaders(auth) };
    }

    let envelope: ReturnType<typeof parseEnvelope>;
    try {
      envelope = parseEnvelope(request.body);
    } catch (error) {
      if (!(error instanceof EwsFaultError)) throw error;
      this.stats.countRequest('(invalid)');
      log('(invalid)', 500, error.code);
      return fault(error);
    }
    const operation = envelope.operation;
    this.stats.countRequest(operation);
    if (!(OPERATIONS as readonly string[]).includes(operation)) {
      log(operation, 500, 'ErrorInvalidRequest');
      return fault(
        new EwsFaultError(
          'ErrorInvalidRequest',
          `The request is invalid: ${operation || 'no operation'} is not supported.`,
        ),
      );
    }

    if (envelope.requestServerVersion !== undefined && !SERVER_VERSIONS.has(envelope.requestServerVersion)) {
      log(operation, 500, 'ErrorInvalidServerVersion');
      return fault(
        new EwsFaultError('ErrorInvalidServerVersion', 'The specified server version is invalid.'),
      );
    }
    const target = this.resolveMailbox(envelope.impersonate, auth.principal);
    if (target instanceof EwsFaultError) {
      log(operation, 500, target.code, envelope.impersonate?.toLowerCase());
      return fault(target);
    }
    const smtp = target.smtp;
    if (this.currentConfig.ewsBlockedMailboxes.some((m) => m.toLowerCase() === smtp)) {
      // Exchange Online once EWS is disabled for the user or tenant (October 2026 onwards).
      log(operation, 403, 'EwsBlockedByPolicy', smtp);
      return {
        kind: 'response',
        status: 403,
        body: '',
        headers: { 'X-EWS-Policy-Reason': EWS_BLOCKED_REASON, 'Content-Length': '0' },
      };
    }

    const faults = this.currentConfig.faults;
    if (this.faultRng.chance(faults.drop)) {
      this.stats.countFault('drop');
      log(operation, 0, 'fault:drop', smtp);
      return { kind: 'drop' };
    }
    if (this.faultRng.chance(faults.http503)) {
      this.stats.countFault('http503');
      log(operation, 503, 'fault:http503', smtp);
      return {
        kind: 'response',
        status: 503,
        body: '',
        headers: { 'Retry-After': String(faults.retryAfterSeconds), 'Content-Length': '0' },
      };
    }
    if (this.faultRng.chance(faults.transient500)) {
      this.stats.countFault('transient500');
      log(operation, 500, 'ErrorInternalServerTransientError', smtp);
      return fault(
        new EwsFaultError(
          'ErrorInternalServerTransientError',
          'An internal server error occurred. Try again later.',
        ),
      );
    }

    const budgetWaitMs = this.takeBudget(smtp, at);
    const isSync = SYNC_OPERATIONS.has(operation);
    if (
      budgetWaitMs > 0 ||
      (isSync && this.stats.inFlightSync(smtp) >= this.currentConfig.concurrentSyncCalls)
    ) {
      const policy = budgetWaitMs > 0 ? 'RechargeRate' : 'ConcurrentSyncCalls';
      const backOff = budgetWaitMs > 0 ? budgetWaitMs : this.currentConfig.backOffMs;
      const asFault = this.faultRng.chance(this.currentConfig.throttleFaultRatio);
      if (budgetWaitMs > 0) this.stats.throttled.budget++;
      if (asFault) this.stats.throttled.fault++;
      else this.stats.throttled.responseMessage++;
      log(operation, asFault ? 500 : 200, 'ErrorServerBusy', smtp);
      const messageXml = messageXmlValues({ BackOffMilliseconds: backOff });
      if (asFault) return fault(new EwsFaultError('ErrorServerBusy', BUSY_TEXT, messageXml));
      const policyValue =
        budgetWaitMs > 0 ? this.currentConfig.requestsPerMinute : this.currentConfig.concurrentSyncCalls;
      const text = `${BUSY_TEXT}, This operation exceeds the throttling budget for policy part '${policy}', policy value '${policyValue}',  Budget type: 'Ews'.  Suggested backoff time ${backOff} ms.`;
      const trailer =
        operation === 'SyncFolderItems'
          ? '<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>'
          : operation === 'SyncFolderHierarchy'
            ? '<m:SyncState/><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>'
            : '';
      return respond(
        200,
        responseEnvelope(
          operation,
          errorMessage(`${operation}ResponseMessage`, 'ErrorServerBusy', text, { messageXml, trailer }),
        ),
        { 'x-EwsHandler': operation },
      );
    }

    if (isSync) this.stats.enterSync(smtp);
    let body: string;
    try {
      // The latency is the whole answer time, as a real server's would be: the timer starts on
      // arrival and the answer is computed meanwhile (its CPU time is not added to the latency).
      const { fixedMs, jitterMs } = this.currentConfig.latency;
      const wait = fixedMs + (jitterMs > 0 ? this.faultRng.next() * jitterMs : 0);
      const answered = wait > 0 ? this.sleep(wait) : undefined;
      try {
        body = HANDLERS[operation as Operation](this.operationContext, target, envelope.body, envelope.xml);
      } finally {
        await answered;
      }
    } catch (error) {
      if (!(error instanceof EwsFaultError)) throw error;
      log(operation, 500, error.code, smtp);
      return fault(error);
    } finally {
      if (isSync) this.stats.leaveSync(smtp);
    }
    if (this.faultRng.chance(faults.truncate)) {
      this.stats.countFault('truncate');
      log(operation, 200, 'fault:truncate', smtp);
      return respond(200, body.slice(0, Math.floor(body.length / 2)), { 'x-EwsHandler': operation });
    }
    if (this.faultRng.chance(faults.cutConnection)) {
      this.stats.countFault('cutConnection');
      log(operation, 200, 'fault:cutConnection', smtp);
      return { ...respond(200, body, { 'x-EwsHandler': operation }), kind: 'cut' };
    }
    const code = /<m:ResponseCode>([^<]*)<\/m:ResponseCode>/.exec(body)?.[1] ?? 'NoError';
    log(operation, 200, code, smtp);
    return respond(200, body, { 'x-EwsHandler': operation });
  }

  private resolveMailbox(impersonate: string | undefined, principal: string): SimMailbox | EwsFaultError {
    const smtp = (impersonate ?? principal).toLowerCase();
    const mailbox = this.org.mailbox(smtp);
    if (!mailbox) {
      return new EwsFaultError(
        'ErrorNonExistentMailbox',
        'The SMTP address has no mailbox associated with it.',
        messageXmlValues({ SmtpAddress: smtp.replace(/[<&"]/g, '') }),
      );
    }
    if (
      impersonate !== undefined &&
      this.currentConfig.impersonationDenied.some((d) => d.toLowerCase() === smtp)
    ) {
      return new EwsFaultError(
        'ErrorImpersonateUserDenied',
        'The account does not have permission to impersonate the requested user.',
      );
    }
    return mailbox;
  }

  /** Records a request against the mailbox's per-minute budget; returns ms to wait if it is spent. */
  private takeBudget(smtp: string, now: number): number {
    const limit = this.currentConfig.requestsPerMinute;
    if (limit <= 0) return 0;
    const window = (this.budgets.get(smtp) ?? []).filter((t) => t > now - 60_000);
    this.budgets.set(smtp, window);
    if (window.length >= limit) return Math.max(1, window[0]! + 60_000 - now);
    window.push(now);
    return 0;
  }

  private controlCharsFor(mailbox: SimMailbox, folderSerial: number, rec: ItemRecord): boolean {
    const rate = this.currentConfig.faults.controlChars;
    if (rate <= 0) return false;
    const h = hashSeed(
      this.currentConfig.faultSeed,
      `${mailbox.index}/${folderSerial}/${rec.serial}/${latestCn(rec)}`,
    );
    return h / 4294967296 < rate;
  }
}
