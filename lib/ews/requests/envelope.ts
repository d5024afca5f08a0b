import { escapeXml } from './escape.js';
import { EwsRequestError } from './request-error.js';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const TYPES_NS = 'http://schemas.microsoft.com/exchange/services/2006/types';
export const MESSAGES_NS = 'http://schemas.microsoft.com/exchange/services/2006/messages';

/** Exchange2013_SP1 is understood by Exchange 2013, 2016, 2019 and Exchange Online. */
export const DEFAULT_SERVER_VERSION = 'Exchange2013_SP1';

/** SOAP headers every request carries. */
export interface RequestHeaders {
  /** RequestServerVersion Version; defaults to DEFAULT_SERVER_VERSION. */
  serverVersion?: string;
  /** ExchangeImpersonation/ConnectingSID/SmtpAddress: act as this mailbox (app-only access). */
  impersonateSmtpAddress?: string;
}

export function soapEnvelope(headers: RequestHeaders, body: string): string {
  const version = headers.serverVersion ?? DEFAULT_SERVER_VERSION;
  if (!/^[A-Za-z0-9_]+$/.test(version))
    throw new EwsRequestError(`invalid server version ${version}`, 'serverVersion');
  let header = `<t:RequestServerVersion Version="${version}"/>`;
  if (headers.impersonateSmtpAddress !== undefined) {
    header += `<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${escapeXml(
      headers.impersonateSmtpAddress,
    )}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`;
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${SOAP_NS}" xmlns:t="${TYPES_NS}" xmlns:m="${MESSAGES_NS}">` +
    `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}
