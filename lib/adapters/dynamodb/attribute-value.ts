import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Plain JSON-like values to DynamoDB attribute values and back. Hand-written because the
 * project carries no @aws-sdk/util-dynamodb, and our rows are plain data anyway.
 * `undefined` is dropped (in maps) so optional fields simply do not exist on the row.
 */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot store non-finite number ${value}`);
      return { N: String(value) };
    case 'bigint':
      return { N: value.toString() };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      break;
    default:
      throw new TypeError(`cannot store a ${typeof value} in DynamoDB`);
  }
  if (value instanceof Date) return { S: value.toISOString() };
  if (value instanceof Uint8Array) return { B: value };
  if (Array.isArray(value)) {
    return { L: value.map((v) => toAttributeValue(v) ?? { NULL: true }) };
  }
  return { M: toAttributeMap(value as Record<string, unknown>) };
}

export function toAttributeMap(object: object): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const [key, v] of Object.entries(object)) {
    const av = toAttributeValue(v);
    if (av !== undefined) map[key] = av;
  }
  return map;
}

export function fromAttributeValue(av: AttributeValue): unknown {
  if (av.S !== undefined) return av.S;
  if (av.N !== undefined) return Number(av.N);
  if (av.BOOL !== undefined) return av.BOOL;
  if (av.NULL !== undefined) return null;
  if (av.M !== undefined) return fromAttributeMap(av.M);
  if (av.L !== undefined) return av.L.map(fromAttributeValue);
  if (av.B !== undefined) return av.B;
  if (av.SS !== undefined) return [...av.SS];
  if (av.NS !== undefined) return av.NS.map(Number);
  if (av.BS !== undefined) return [...av.BS];
  throw new TypeError(`unsupported attribute value ${Object.keys(av).join(',')}`);
}

export function fromAttributeMap(map: Record<string, AttributeValue>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, av] of Object.entries(map)) object[key] = fromAttributeValue(av);
  return object;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
