// The production composition root of the worker and the operator CLI: the common container
// (assemble-container.ts) on the SDK's default clients, with the mail source that picks EWS or
// Graph per mailbox (mail-sources.ts), https only, credentials from Secrets Manager. It takes
// what a Lambda has and nothing local: local/container.ts builds the local run's from the same
// builders. The scheduler builds its own (scheduler-container.ts), without a mail source.
import { assembleContainer, type Container, type ContainerOptions } from './assemble-container.js';
import { buildAwsClients } from './aws-clients.js';
import type { HandlerEnv } from './env.js';
import { buildMailSource } from './mail-sources.js';

export {
  type BuiltMailSource,
  type Container,
  type ContainerOptions,
  type ContainerParts,
  type InvalidMailboxRow,
  InvalidPageTokenError,
} from './assemble-container.js';

export function createContainer(env: HandlerEnv, options: ContainerOptions = {}): Container {
  return assembleContainer(env, options, { clients: buildAwsClients(), source: buildMailSource(env) });
}
