// The mail source of a container: EWS for Exchange Server on premises, Graph for Exchange Online,
// picked per mailbox; credentials from Secrets Manager, or `local:<name>` ones for the local run.
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

export function buildMailSource(
  env: Pick<HandlerEnv, 'secretPrefix' | 'allowInsecureHttp'>,
  /** The local run's `local:<name>` credentials; in AWS there are none, so such a ref never resolves. */
  localCredentials?: LocalCredentialsResolver,
): BuiltMailSource {
  // Only a container that calls mail servers reads secrets (the scheduler has none).
  const secrets = new SecretsManagerClient({});
  const secretCredentials = new SecretsCredentialsResolver(secrets, { prefix: env.secretPrefix });
  const resolveCredentials = localCredentials
    ? routeCredentials(localCredentials, secretCredentials.resolve)
    : secretCredentials.resolve;
  const options = { allowInsecureHttp: env.allowInsecureHttp };
  const mailSource = new MailSourceRouter({
    ews: new EwsMailSource(resolveCredentials, options),
    graph: new GraphMailSource(resolveCredentials, options),
  });
  return { mailSource, destroy: () => secrets.destroy() };
}
