// The scheduler's container. The tick calls no mail server (lib/core/schedule/fan-out-tick.ts
// reads the registry and the hierarchy cursors and sends jobs), so it has no mail source: its
// bundle carries neither the EWS nor the Graph client, nor Secrets Manager. It reads cursors
// without their SyncState (only status, lease and timestamps matter to it): a mailbox whose
// hierarchy SyncState was spilled to S3 costs the tick neither a bucket setting nor an S3 grant,
// and cannot stop the tick for every other mailbox.
import type { MailSource } from '../core/index.js';
import { assembleContainer, type Container, type ContainerOptions } from './assemble-container.js';
import { buildAwsClients } from './aws-clients.js';
import type { HandlerEnv } from './env.js';

/** What the scheduler has instead of a mail source: any call is a wiring mistake, said plainly. */
const NO_MAIL_SOURCE = new Proxy({} as MailSource, {
  get(_target, name) {
    if (name === 'then') return undefined;
    return () => {
      throw new Error(`the scheduler calls no mail server (MailSource.${String(name)} was called)`);
    };
  },
});

export function createSchedulerContainer(env: HandlerEnv, options: ContainerOptions = {}): Container {
  return assembleContainer(
    env,
    { ...options, cursorSyncState: 'omit' },
    { clients: buildAwsClients(), source: { mailSource: NO_MAIL_SOURCE, destroy() {} } },
  );
}
