// One simulated mailbox: a folder journal (the hierarchy) and an item journal per folder, with
// the mutations Exchange users make. Every mutation goes through a journal so sync sees it.
import { CHANGE_KEY_KIND, changeKey, folderId, itemId } from './ids.js';
import { Journal, type JournalRecord, latestCn } from './journal.js';
import type {
  FolderType,
  GroundTruthFolder,
  GroundTruthItem,
  ItemProps,
  ItemType,
  SimFolder,
  SimItem,
} from './model.js';

export type FolderRecord = JournalRecord<SimFolder>;
export type ItemRecord = JournalRecord<SimItem>;

export class SimulatorMutationError extends Error {
  override readonly name = 'SimulatorMutationError';
  constructor(
    readonly smtp: string,
    readonly reason: string,
  ) {
    super(`cannot mutate ${smtp}: ${reason}`);
  }
}

export class SimMailbox {
  readonly folders = new Journal<SimFolder>();
  private readonly items = new Map<number, Journal<SimItem>>();
  private readonly distinguished = new Map<string, number>();
  /** Bumped by a simulated mailbox move: every sync state issued before becomes invalid. */
  stateEpoch = 0;
  rootSerial = 0;

  constructor(
    readonly index: number,
    readonly smtp: string,
    readonly displayName: string,
    readonly guid: Buffer,
  ) {}

  // ----- folders

  createFolder(
    parentSerial: number,
    displayName: string,
    folderClass: string,
    folderType: FolderType = 'Folder',
    distinguishedId?: string,
  ): FolderRecord {
    if (parentSerial !== 0) this.liveFolder(parentSerial);
    // The serial is known only once the journal assigns it; the id is filled right after.
    const value: SimFolder = { displayName, folderClass, folderType, distinguishedId, parentSerial, id: '' };
    const rec = this.folders.create(value);
    value.id = folderId(this.index, this.guid, rec.serial);
    this.items.set(rec.serial, new Journal<SimItem>());
    if (distinguishedId) this.distinguished.set(distinguishedId, rec.serial);
    if (parentSerial === 0) this.rootSerial = rec.serial;
    return rec;
  }

  renameFolder(serial: number, displayName: string): void {
    const rec = this.mutableFolder(serial);
    rec.value.displayName = displayName;
    this.folders.update(rec);
  }

  /** Moves a folder; its subtree gets new change numbers too, so syncs rooted anywhere see it enter or leave. */
  moveFolder(serial: number, newParentSerial: number): void {
    const rec = this.mutableFolder(serial);
    this.liveFolder(newParentSerial);
    if (serial === newParentSerial || this.isAncestor(serial, newParentSerial)) {
      throw new SimulatorMutationError(this.smtp, 'a folder cannot move into its own subtree');
    }
    rec.value.parentSerial = newParentSerial;
    this.folders.update(rec);
    for (const d of this.descendants(serial)) this.folders.update(d);
  }

  /** Hard-deletes a folder, its subfolders and their items. */
  deleteFolder(serial: number): void {
    const rec = this.mutableFolder(serial);
    for (const d of [...this.descendants(serial), rec]) this.folders.delete(d);
  }

  folder(serial: number): FolderRecord | undefined {
    return this.folders.get(serial);
  }

  liveFolder(serial: number): FolderRecord {
    const rec = this.folders.get(serial);
    if (rec?.deletedCn !== 0) throw new SimulatorMutationError(this.smtp, `folder ${serial} does not exist`);
    return rec;
  }

  distinguishedSerial(name: string): number | undefined {
    return this.distinguished.get(name);
  }

  liveFolders(): FolderRecord[] {
    return [...this.folders.live()];
  }

  /** True when `ancestor` is a strict ancestor of `serial`. */
  isAncestor(ancestor: number, serial: number): boolean {
    let current = this.folders.get(serial)?.value.parentSerial ?? 0;
    for (let depth = 0; current !== 0 && depth < 64; depth++) {
      if (current === ancestor) return true;
      current = this.folders.get(current)?.value.parentSerial ?? 0;
    }
    return false;
  }

  descendants(serial: number): FolderRecord[] {
    return this.liveFolders().filter((f) => f.serial !== serial && this.isAncestor(serial, f.serial));
  }

  itemJournal(folderSerial: number): Journal<SimItem> | undefined {
    return this.items.get(folderSerial);
  }

  folderChangeKey(rec: FolderRecord): string {
    return changeKey(CHANGE_KEY_KIND.Folder!, this.guid, 0, latestCn(rec));
  }

  // ----- items

  createItem(
    folderSerial: number,
    type: ItemType,
    props: ItemProps,
    options: { isRead?: boolean; isAssociated?: boolean } = {},
  ): ItemRecord {
    const journal = this.itemsOf(folderSerial);
    const value: SimItem = {
      type,
      props,
      isRead: options.isRead ?? true,
      isAssociated: options.isAssociated ?? false,
      id: '',
    };
    const rec = journal.create(value);
    value.id = itemId(this.index, this.guid, folderSerial, rec.serial);
    return rec;
  }

  /** A content change; `change` edits the properties in place. */
  updateItem(folderSerial: number, serial: number, change: (item: SimItem) => void): ItemRecord {
    const journal = this.itemsOf(folderSerial);
    const rec = this.liveItemIn(journal, folderSerial, serial);
    change(rec.value);
    journal.update(rec);
    return rec;
  }

  /** Changes only the read flag (a no-op when it already has that value, as in Exchange). */
  setRead(folderSerial: number, serial: number, isRead: boolean): ItemRecord {
    const journal = this.itemsOf(folderSerial);
    const rec = this.liveItemIn(journal, folderSerial, serial);
    if (rec.value.isRead !== isRead) {
      rec.value.isRead = isRead;
      journal.updateReadFlag(rec);
    }
    return rec;
  }

  deleteItem(folderSerial: number, serial: number): void {
    const journal = this.itemsOf(folderSerial);
    journal.delete(this.liveItemIn(journal, folderSerial, serial));
  }

  /** A move is a Delete in the source and a Create with a new id in the target. */
  moveItem(folderSerial: number, serial: number, targetFolderSerial: number): ItemRecord {
    if (folderSerial === targetFolderSerial) {
      throw new SimulatorMutationError(this.smtp, 'source and target folder are the same');
    }
    const source = this.itemsOf(folderSerial);
    const rec = this.liveItemIn(source, folderSerial, serial);
    this.itemsOf(targetFolderSerial);
    source.delete(rec);
    rec.value.movedOut = true;
    const { type, props, isRead, isAssociated } = rec.value;
    const moved = this.createItem(targetFolderSerial, type, { ...props }, { isRead, isAssociated });
    moved.value.origin = rec.value.origin ?? { folderSerial, serial };
    return moved;
  }

  itemChangeKey(folderSerial: number, rec: ItemRecord): string {
    return changeKey(CHANGE_KEY_KIND[rec.value.type] ?? 0x09, this.guid, folderSerial, latestCn(rec));
  }

  liveItem(folderSerial: number, serial: number): ItemRecord | undefined {
    const rec = this.items.get(folderSerial)?.get(serial);
    return rec && rec.deletedCn === 0 && this.folders.get(folderSerial)?.deletedCn === 0 ? rec : undefined;
  }

  private itemsOf(folderSerial: number): Journal<SimItem> {
    this.liveFolder(folderSerial);
    return this.items.get(folderSerial)!;
  }

  private liveItemIn(journal: Journal<SimItem>, folderSerial: number, serial: number): ItemRecord {
    const rec = journal.get(serial);
    if (rec?.deletedCn !== 0) {
      throw new SimulatorMutationError(this.smtp, `item ${serial} in folder ${folderSerial} does not exist`);
    }
    return rec;
  }

  private mutableFolder(serial: number): FolderRecord {
    const rec = this.liveFolder(serial);
    if (rec.value.distinguishedId) {
      throw new SimulatorMutationError(
        this.smtp,
        `distinguished folder ${rec.value.distinguishedId} is fixed`,
      );
    }
    return rec;
  }

  // ----- ground truth

  groundTruthFolders(): GroundTruthFolder[] {
    return this.liveFolders().map((rec) => this.folderTruth(rec));
  }

  folderTruth(rec: FolderRecord): GroundTruthFolder {
    const f = rec.value;
    let itemCount = 0;
    let unreadCount = 0;
    for (const item of this.items.get(rec.serial)?.live() ?? []) {
      if (item.value.isAssociated) continue;
      itemCount++;
      if (!item.value.isRead) unreadCount++;
    }
    const parent = f.parentSerial ? this.folders.get(f.parentSerial) : undefined;
    return {
      id: f.id,
      changeKey: this.folderChangeKey(rec),
      ...(f.distinguishedId ? { distinguishedId: f.distinguishedId } : {}),
      ...(parent ? { parentId: parent.value.id } : {}),
      displayName: f.displayName,
      folderClass: f.folderClass,
      folderType: f.folderType,
      itemCount,
      unreadCount,
    };
  }

  /** Items of a live folder; associated items only when asked. */
  groundTruthItems(folderSerial: number, options: { includeAssociated?: boolean } = {}): GroundTruthItem[] {
    const journal = this.itemsOf(folderSerial);
    const out: GroundTruthItem[] = [];
    for (const rec of journal.live()) {
      if (rec.value.isAssociated && !options.includeAssociated) continue;
      const { value } = rec;
      out.push({
        id: value.id,
        changeKey: this.itemChangeKey(folderSerial, rec),
        itemType: value.type,
        itemClass: value.props.itemClass,
        isRead: value.isRead,
        isAssociated: value.isAssociated,
        subject: value.props.subject,
        dateTimeReceived: value.props.dateTimeReceived,
        size: value.props.size,
        ...(value.props.from ? { from: value.props.from.email } : {}),
      });
    }
    return out;
  }
}
