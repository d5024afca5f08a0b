// Test fake of StoredStateEraser: SyncStates stored apart from their cursors, by name. Held to
// the S3 adapter by the shared contract suite (test/contracts/stored-states.contract.ts).
import { ForeignStateNameError, type StoredStateEraser } from '../operator/erasure-ports.js';

export class InMemoryStoredStates implements StoredStateEraser {
  /** Name → SyncState. */
  readonly objects = new Map<string, string>();
  private counter = 0;

  /** Stores a state as the cursor store's spill does: a new name for every write. */
  async put(mailboxId: string, folderId: string, version: number, syncState: string): Promise<string> {
    const name = `${prefixOf(mailboxId)}${encodeURIComponent(folderId)}/${version}-${++this.counter}`;
    this.objects.set(name, syncState);
    return name;
  }

  async listStates(mailboxId: string): Promise<string[]> {
    return [...this.objects.keys()].filter((name) => name.startsWith(prefixOf(mailboxId))).sort();
  }

  async deleteStates(mailboxId: string, names: readonly string[]): Promise<void> {
    const foreign = names.find((name) => !name.startsWith(prefixOf(mailboxId)));
    if (foreign !== undefined) throw new ForeignStateNameError(mailboxId, foreign);
    for (const name of names) this.objects.delete(name);
  }
}

const prefixOf = (mailboxId: string) => `${encodeURIComponent(mailboxId)}/`;
