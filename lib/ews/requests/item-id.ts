import { escapeXml } from './escape.js';
import { EwsRequestError } from './request-error.js';

export function renderItemId(item: { id: string; changeKey?: string }): string {
  if (item.id === '') throw new EwsRequestError('empty item id', 'itemId');
  const changeKey = item.changeKey === undefined ? '' : ` ChangeKey="${escapeXml(item.changeKey)}"`;
  return `<t:ItemId Id="${escapeXml(item.id)}"${changeKey}/>`;
}
