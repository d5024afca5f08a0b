import { escapeXml } from './escape.js';
import { EwsRequestError } from './request-error.js';

export type BaseShape = 'IdOnly' | 'Default' | 'AllProperties';

export interface ResponseShape {
  baseShape: BaseShape;
  /** Plain property FieldURIs: `item:Subject`, `message:IsRead`, `folder:DisplayName`, ... */
  additionalProperties?: readonly string[];
}

const BASE_SHAPES = new Set<string>(['IdOnly', 'Default', 'AllProperties']);
const FIELD_URI = /^[a-z]+:[A-Za-z]+$/;

/** `<m:ItemShape>` or `<m:FolderShape>` with BaseShape and AdditionalProperties. */
export function renderShape(element: 'ItemShape' | 'FolderShape', shape: ResponseShape): string {
  if (!BASE_SHAPES.has(shape.baseShape))
    throw new EwsRequestError(`invalid BaseShape ${shape.baseShape}`, 'baseShape');
  let out = `<m:${element}><t:BaseShape>${shape.baseShape}</t:BaseShape>`;
  const properties = shape.additionalProperties ?? [];
  if (properties.length > 0) {
    out += '<t:AdditionalProperties>';
    for (const uri of new Set(properties)) {
      if (!FIELD_URI.test(uri)) throw new EwsRequestError(`invalid FieldURI ${uri}`, 'additionalProperties');
      out += `<t:FieldURI FieldURI="${escapeXml(uri)}"/>`;
    }
    out += '</t:AdditionalProperties>';
  }
  return `${out}</m:${element}>`;
}
