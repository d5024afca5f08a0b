// The size DynamoDB bills an item by (attribute names plus values, per AWS's "Item sizes and
// formats"): what one write unit (1 KB) and one strongly consistent read unit (4 KB) are counted
// against. Numbers are approximated as their digits / 2 + 1 bytes, as the guide describes.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export function attributeValueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + attributeValueBytes(v), 0);
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  return 0;
}

export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + attributeValueBytes(value),
    0,
  );
}

/** Write units of a write whose larger side (before or after) is `bytes`. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
