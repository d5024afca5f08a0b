// A folder job: one page of a folder's item changes, from whichever source serves the mailbox.
import * as z from 'zod/mini';
import { syncFolderPage } from '../folder/sync-folder-page.js';
import { id, pageJobFields } from './job-fields.js';
import type { JobKind } from './job-kind.js';

/**
 * Most folders a lane carries: a folder id is up to about 200 characters, so a lane stays far
 * below the SQS message limit (lanes.ts opens more lanes for a mailbox with more folders).
 */
export const MAX_LANE_FOLDERS = 200;

const schema = z.strictObject({
  ...pageJobFields,
  type: z.literal('folder'),
  folderId: id,
  /**
   * The lane: folders of the mailbox that wait to start, in order, once this folder's chain
   * ends (lanes.ts). Every job of the chain carries it until the chain hands it on.
   */
  lane: z.optional(z.array(id).check(z.minLength(1), z.maxLength(MAX_LANE_FOLDERS))),
});

export type FolderJob = z.infer<typeof schema>;

export const folderJobKind: JobKind<typeof schema> = {
  schema,
  run: syncFolderPage,
  messageGroup: (job) => job.mailboxId,
};
