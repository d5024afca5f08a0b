import { EwsError } from '../errors.js';

/**
 * A request we refuse to build (page size out of range, malformed FieldURI, ...). These values come
 * from the mailbox's configuration, so the kind is `permanent`: an operator has to fix it.
 */
export class EwsRequestError extends EwsError {
  override readonly name = 'EwsRequestError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super('permanent', 'InvalidRequest', message);
  }
}
