// The mail source of a container: EWS for Exchange Server on premises, Graph for Exchange Online,
// picked per mailbox; credentials from Secrets Manager. The production container passes no seams
// (https only, no `local:` credentials); local/container.ts passes the local run's.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EwsMailSource } from '../adapters/ews/mail-source.js';
import { GraphMailSource } from '../adapters/graph/mail-source.js';
import { MailSourceRouter } from '../adapters/mail-source-router.js';
import {
  type LocalCredentialsResolver,
  routeCredentials,
  SecretsCredentialsResolver,
} from '../adapters/secrets/index.js';
import type { BuiltMailSource } from './assemble-container.js';
import type { HandlerEnv } from './env.js';

/** What only the local run sets: the simulator speaks plain http, with `local:<name>` credentials. */
export interface MailSourceSeams {
  /** Accept http:// endpoints (and token URLs); without it a mailbox on one fails to sync. */
  allowInsecureHttp?: boolean;
  /** `local:<name>` credentials; in AWS there are none, so such a ref never resolves. */
  localCredentials?: LocalCredentialsResolver;
}

export function buildMailSource(
  env: Pick<HandlerEnv, 'secretPrefix'>,
  { allowInsecureHttp = false, localCredentials }: MailSourceSeams = {},
): BuiltMailSource {
  // Only a container that calls mail servers reads secrets (the scheduler has none).
  const secrets = new SecretsManagerClient({});
  const secretCredentials = new SecretsCredentialsResolver(secrets, { prefix: env.secretPrefix });
  const resolveCredentials = localCredentials
    ? routeCredentials(localCredentials, secretCredentials.resolve)
    : secretCredentials.resolve;
  const options = { allowInsecureHttp };
  const mailSource = new MailSourceRouter({
    ews: new EwsMailSource(resolveCredentials, options),
    graph: new GraphMailSource(resolveCredentials, options),
  });
  return { mailSource, destroy: () => secrets.destroy() };
}
