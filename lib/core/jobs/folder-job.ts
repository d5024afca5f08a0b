// A folder job: one page of a folder's items (SyncFolderItems, Graph messages/contacts delta).
import * as z from 'zod/mini';
import { syncFolderPage } from '../sync-folder-page.js';
import { id, pageJobFields } from './job-fields.js';
import type { JobKind } from './job-kind.js';

const schema = z.strictObject({ ...pageJobFields, type: z.literal('folder'), folderId: id });

export type FolderJob = z.infer<typeof schema>;

export const folderJobKind: JobKind<typeof schema> = {
  schema,
  run: syncFolderPage,
  messageGroup: (job) => job.mailboxId,
};
