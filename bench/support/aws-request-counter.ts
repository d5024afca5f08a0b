// Counts the AWS requests the engine makes, by service and command, with an SDK middleware added
// to every DynamoDB, SQS and S3 client the process creates (the engine's container builds its own
// clients, so the middleware is attached on a client's first send). DynamoDB calls ask for
// ReturnConsumedCapacity=TOTAL, which changes nothing but the answer, so the counted units are
// DynamoDB's own; a refused conditional write is billed too (at least one write unit a row).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface CommandCount {
  calls: number;
  /** Calls that answered with an error (a refused condition, a cancelled transaction). */
  failed: number;
  readUnits: number;
  writeUnits: number;
  /** Calls billed more than DynamoDB Local reported: the least units AWS bills (see minimumUnits). */
  estimated: number;
}

/** ReturnConsumedCapacity is accepted by these DynamoDB commands. */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);
const READ_COMMANDS = /^(Get|Query|Scan|BatchGet|TransactGet)/;

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

type Input = Record<string, unknown>;
type Next = (args: { input: Input }) => Promise<{ output: Record<string, unknown> }>;
type Middleware = (next: Next, context: { clientName?: string; commandName?: string }) => Next;
interface Stack {
  middlewareStack: { add(middleware: Middleware, options: { step: 'initialize'; name: string }): void };
}

/**
 * The least units DynamoDB bills a call, whatever the rows' size: a write unit per row written (two
 * in a transaction), a read unit per key read consistently (half eventually), found or not.
 * DynamoDB Local under-reports batches and transactions (0 units for a BatchGetItem, 2 for a whole
 * TransactWriteItems), so the counter takes the larger of this and what was reported.
 */
function minimumUnits(command: string, input: Input): number {
  const consistent = (read: { ConsistentRead?: boolean }) => (read.ConsistentRead ? 1 : 0.5);
  if (command === 'TransactWriteItemsCommand' || command === 'TransactGetItemsCommand')
    return 2 * ((input.TransactItems as unknown[]) ?? []).length;
  if (command === 'BatchGetItemCommand')
    return Object.values(
      (input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>) ?? {},
    ).reduce((n, r) => n + r.Keys.length * consistent(r), 0);
  if (command === 'BatchWriteItemCommand')
    return Object.values((input.RequestItems as Record<string, unknown[]>) ?? {}).reduce(
      (n, r) => n + r.length,
      0,
    );
  if (command === 'GetItemCommand') return consistent(input as { ConsistentRead?: boolean });
  // Query and Scan bill by the bytes read: at least half a unit.
  if (command === 'QueryCommand' || command === 'ScanCommand') return 0.5;
  return 1;
}

export class AwsRequestCounter {
  private counts = new Map<string, CommandCount>();
  private readonly attached = new WeakSet<object>();

  /** Attaches the counter to every DynamoDB, SQS and S3 client of this process. */
  install(): this {
    for (const Client of [DynamoDBClient, SQSClient, S3Client]) {
      const prototype = Client.prototype as unknown as { send: (...args: unknown[]) => unknown };
      const send = prototype.send;
      const counter = this;
      prototype.send = function (this: Stack, ...args: unknown[]) {
        counter.attach(this);
        return send.apply(this, args);
      };
    }
    return this;
  }

  reset(): void {
    this.counts = new Map();
  }

  /** Counts by `Service:Command`, e.g. `DynamoDB:PutItem`, `SQS:ReceiveMessage (empty)` or `(aborted)`. */
  snapshot(): Map<string, CommandCount> {
    return new Map([...this.counts].map(([key, count]) => [key, { ...count }]));
  }

  private entry(key: string): CommandCount {
    let count = this.counts.get(key);
    if (!count) {
      count = { calls: 0, failed: 0, readUnits: 0, writeUnits: 0, estimated: 0 };
      this.counts.set(key, count);
    }
    return count;
  }

  private attach(client: Stack): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    const middleware: Middleware = (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const command = context.commandName ?? 'Unknown';
      const dynamo = service === 'DynamoDB' && CAPACITY_COMMANDS.has(command);
      if (dynamo) args.input.ReturnConsumedCapacity ??= 'TOTAL';
      const name = command.replace(/Command$/, '');
      try {
        const result = await next(args);
        const empty = command === 'ReceiveMessageCommand' && !(result.output.Messages as unknown[])?.length;
        const count = this.entry(`${service}:${name}${empty ? ' (empty)' : ''}`);
        count.calls++;
        if (dynamo) this.addUnits(count, command, args.input, result.output.ConsumedCapacity);
        return result;
      } catch (error) {
        // A long poll the poller cut short when it stopped: part of the event source's polling.
        const aborted = command === 'ReceiveMessageCommand';
        const count = this.entry(`${service}:${name}${aborted ? ' (aborted)' : ''}`);
        count.calls++;
        count.failed++;
        // A refused write is billed as a write of the row (1 unit for rows under 1 KB).
        if (dynamo && !READ_COMMANDS.test(name)) {
          count.writeUnits += minimumUnits(command, args.input);
          count.estimated++;
        }
        throw error;
      }
    };
    client.middlewareStack.add(middleware, { step: 'initialize', name: 'benchAwsRequestCounter' });
  }

  private addUnits(count: CommandCount, command: string, input: Input, consumed: unknown): void {
    const read = READ_COMMANDS.test(command.replace(/Command$/, ''));
    const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
    let reported = 0;
    for (const capacity of list) {
      const total = capacity.CapacityUnits ?? 0;
      reported += read ? (capacity.ReadCapacityUnits ?? total) : (capacity.WriteCapacityUnits ?? total);
    }
    const minimum = minimumUnits(command, input);
    if (minimum > reported) count.estimated++;
    const units = Math.max(reported, minimum);
    if (read) count.readUnits += units;
    else count.writeUnits += units;
  }
}
