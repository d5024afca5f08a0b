// SOAP envelopes as Exchange Online writes them: `s:` envelope, an `h:ServerVersionInfo` header
// without a default namespace, `m:`/`t:` declared on the response element, faults without a
// header and with the code in `detail/e:ResponseCode`.

export const NS_SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
export const NS_TYPES = 'http://schemas.microsoft.com/exchange/services/2006/types';
export const NS_MESSAGES = 'http://schemas.microsoft.com/exchange/services/2006/messages';
export const NS_ERRORS = 'http://schemas.microsoft.com/exchange/services/2006/errors';
const NS_XSD = 'http://www.w3.org/2001/XMLSchema';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';

const SERVER_VERSION = `<h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="8769" MinorBuildNumber="35" Version="V2018_01_08" xmlns:h="${NS_TYPES}" xmlns:xsd="${NS_XSD}" xmlns:xsi="${NS_XSI}"/>`;
const ENVELOPE_OPEN = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS_SOAP}"><s:Header>${SERVER_VERSION}</s:Header><s:Body>`;

export function responseEnvelope(operation: string, responseMessages: string): string {
  return `${ENVELOPE_OPEN}<m:${operation}Response xmlns:m="${NS_MESSAGES}" xmlns:xsd="${NS_XSD}" xmlns:xsi="${NS_XSI}" xmlns:t="${NS_TYPES}"><m:ResponseMessages>${responseMessages}</m:ResponseMessages></m:${operation}Response></s:Body></s:Envelope>`;
}

export function messageXmlValues(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `<t:Value Name="${name}">${value}</t:Value>`)
    .join('');
}

/** An error ResponseMessage: MessageText before ResponseCode, as Exchange orders them. */
export function errorMessage(
  element: string,
  code: string,
  text: string,
  options: { messageXml?: string; trailer?: string } = {},
): string {
  const messageXml = options.messageXml ? `<m:MessageXml>${options.messageXml}</m:MessageXml>` : '';
  return `<m:${element} ResponseClass="Error"><m:MessageText>${text}</m:MessageText><m:ResponseCode>${code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${messageXml}${options.trailer ?? ''}</m:${element}>`;
}

export function soapFault(code: string, faultString: string, messageXml = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS_SOAP}"><s:Body><s:Fault><faultcode xmlns:a="${NS_TYPES}">a:${code}</faultcode><faultstring xml:lang="en-US">${faultString}</faultstring><detail><e:ResponseCode xmlns:e="${NS_ERRORS}">${code}</e:ResponseCode><e:Message xmlns:e="${NS_ERRORS}">${faultString}</e:Message>${messageXml ? `<t:MessageXml xmlns:t="${NS_TYPES}">${messageXml}</t:MessageXml>` : ''}</detail></s:Fault></s:Body></s:Envelope>`;
}

/** An EWS error the handlers raise; the server renders it as a fault or a response message. */
export class EwsFaultError extends Error {
  override readonly name = 'EwsFaultError';
  constructor(
    readonly code: string,
    readonly faultString: string,
    readonly messageXml = '',
  ) {
    super(`${code}: ${faultString}`);
  }
}

export function schemaError(violation: string): EwsFaultError {
  return new EwsFaultError(
    'ErrorSchemaValidation',
    `The request failed schema validation: ${violation}`,
    `<t:LineNumber>1</t:LineNumber><t:LinePosition>1</t:LinePosition><t:Violation>${violation}</t:Violation>`,
  );
}

export const BUSY_TEXT = 'The server cannot service this request right now. Try again later.';
