// The list prices bench:cost multiplies counted requests by, and how it does so. us-east-1,
// on-demand, no free tier, as published on the AWS pricing pages; re-check them before relying on
// the dollars (the counts do not depend on them).
import type { CommandCount } from './aws-request-counter.js';

export const PRICES = {
  /** When these list prices were taken from the AWS pricing pages (not re-checked since). */
  asOf: '2025-06, us-east-1 (DynamoDB on-demand after the 2024-11-01 cut)',
  /** DynamoDB on-demand, Standard table class: per write / read request unit. */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** SQS standard queue: per request (each 64 KB chunk of a payload is one request). */
  sqsRequest: 0.4 / 1e6,
  /** S3 Standard: PUT/COPY/POST/LIST, and GET, per request. */
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /** Lambda on arm64 (the worker's architecture): per request and per GB-second. */
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
} as const;

export interface Cost {
  dynamodb: number;
  sqs: number;
  s3: number;
  /** AWS requests together: what the idle target is stated in. */
  requests: number;
}

/**
 * Whether a counted request is billed per use. Left out: receives that came back empty or were cut
 * short (the event source's polling, a fixed cost per deployment) and GetQueueAttributes (the
 * benchmark's own wait for an empty queue).
 */
export function isPriced(key: string): boolean {
  const [service, command = ''] = key.split(':');
  if (service !== 'SQS') return true;
  return !/\((empty|aborted)\)$/.test(command) && command !== 'GetQueueAttributes';
}

/** Dollars of counted requests. */
export function costOf(counts: ReadonlyMap<string, CommandCount>): Cost {
  let dynamodb = 0;
  let sqs = 0;
  let s3 = 0;
  for (const [key, count] of counts) {
    if (!isPriced(key)) continue;
    const [service, command = ''] = key.split(':');
    if (service === 'DynamoDB')
      dynamodb += count.readUnits * PRICES.dynamoReadUnit + count.writeUnits * PRICES.dynamoWriteUnit;
    else if (service === 'SQS') sqs += count.calls * PRICES.sqsRequest;
    else if (service === 'S3')
      s3 += count.calls * (/^(Get|Head)/.test(command) ? PRICES.s3Get : PRICES.s3Put);
  }
  return { dynamodb, sqs, s3, requests: dynamodb + sqs + s3 };
}

/** Lambda's request charge, and its GB-seconds at a given wall time. */
export function lambdaCost(
  invocations: number,
  workerMs: number,
  memoryMb: number,
): { requests: number; duration: number } {
  return {
    requests: invocations * PRICES.lambdaRequest,
    duration: (workerMs / 1000) * (memoryMb / 1024) * PRICES.lambdaGbSecond,
  };
}

export const MINUTES_PER_MONTH = 30 * 24 * 60;

/** Lambda gives a function one vCPU at 1,769 MB and a share in proportion below (AWS docs). */
export const MB_PER_VCPU = 1769;

/**
 * Modelled Lambda time of work measured here as `wallMs` (the invocations' wall time, summed)
 * of which `cpuMs` was CPU: the CPU part stretches by 1,769 / memory below one vCPU (the engine
 * is one JavaScript thread, so more than one vCPU does not shorten it); the rest is waiting on
 * the network, the same at any memory.
 */
export function lambdaTimeAt(memoryMb: number, wallMs: number, cpuMs: number): number {
  const cpu = Math.min(cpuMs, wallMs);
  return wallMs - cpu + cpu * Math.max(1, MB_PER_VCPU / memoryMb);
}
