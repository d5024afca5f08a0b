// The composition root of the worker, the local run, the operator CLI and the tests: the common
// container (assemble-container.ts) with the mail source that picks EWS or Graph per mailbox
// (mail-sources.ts). The scheduler builds its own (scheduler-container.ts), without one.
import { assembleContainer, type Container, type ContainerOptions } from './assemble-container.js';
import type { HandlerEnv } from './env.js';
import { buildMailSource } from './mail-sources.js';

export {
  type BuiltMailSource,
  type Container,
  type ContainerOptions,
  type InvalidMailboxRow,
  InvalidPageTokenError,
} from './assemble-container.js';

export function createContainer(env: HandlerEnv, options: ContainerOptions = {}): Container {
  return assembleContainer(env, options, buildMailSource(env, options.localCredentials));
}
