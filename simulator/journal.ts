// The change journal of one container (a folder's items, or a mailbox's folders). Every change
// takes the next change number (cn) of the container; the journal keeps its records in cn order
// so a sync can walk from the newest change down (or the oldest up) and jump over whole runs the
// client has already seen.

export interface JournalRecord<T> {
  /** Never reused within the container; part of the record's EWS id. */
  readonly serial: number;
  value: T;
  /** Change number of the last content change (create, update, move in). */
  cn: number;
  /** Change number of the last read-flag change (equals `cn` until the flag changes alone). */
  readCn: number;
  /** Change number of the deletion, 0 while the record lives. */
  deletedCn: number;
}

export function latestCn(record: JournalRecord<unknown>): number {
  return record.deletedCn || Math.max(record.cn, record.readCn);
}

export class Journal<T> {
  /** The last change number handed out. */
  counter = 0;
  private nextSerial = 1;
  private readonly bySerial = new Map<number, JournalRecord<T>>();
  /** Parallel arrays in ascending cn order; an entry is stale once its record changed again. */
  private cns: number[] = [];
  private recs: JournalRecord<T>[] = [];
  private stale = 0;
  /** Live records in no particular order, for O(1) counts and random picks. */
  private readonly liveList: JournalRecord<T>[] = [];
  private readonly livePosition = new Map<number, number>();

  get(serial: number): JournalRecord<T> | undefined {
    return this.bySerial.get(serial);
  }

  /** Live records, oldest serial first. */
  *live(): IterableIterator<JournalRecord<T>> {
    for (const rec of this.bySerial.values()) if (rec.deletedCn === 0) yield rec;
  }

  liveCount(): number {
    return this.liveList.length;
  }

  /** The live record at `index` (0..liveCount-1) of an arbitrary but stable order. */
  liveAt(index: number): JournalRecord<T> | undefined {
    return this.liveList[index];
  }

  create(value: T): JournalRecord<T> {
    const cn = ++this.counter;
    const rec: JournalRecord<T> = { serial: this.nextSerial++, value, cn, readCn: cn, deletedCn: 0 };
    this.bySerial.set(rec.serial, rec);
    this.livePosition.set(rec.serial, this.liveList.length);
    this.liveList.push(rec);
    this.append(rec, cn);
    return rec;
  }

  /** A content change (the read flag may change with it). */
  update(rec: JournalRecord<T>): void {
    this.assertLive(rec);
    this.supersede();
    rec.cn = ++this.counter;
    this.append(rec, rec.cn);
  }

  /** A change of the read flag alone. */
  updateReadFlag(rec: JournalRecord<T>): void {
    this.assertLive(rec);
    this.supersede();
    rec.readCn = ++this.counter;
    this.append(rec, rec.readCn);
  }

  /** The record becomes a tombstone; clients that have it will get a Delete. */
  delete(rec: JournalRecord<T>): void {
    this.assertLive(rec);
    this.supersede();
    rec.deletedCn = ++this.counter;
    this.append(rec, rec.deletedCn);
    const position = this.livePosition.get(rec.serial)!;
    const last = this.liveList.pop()!;
    if (last !== rec) {
      this.liveList[position] = last;
      this.livePosition.set(last.serial, position);
    }
    this.livePosition.delete(rec.serial);
  }

  get entryCount(): number {
    return this.cns.length;
  }

  entryCn(index: number): number {
    return this.cns[index]!;
  }

  /** The record if entry `index` is its latest change, otherwise undefined (stale entry). */
  entryRecord(index: number): JournalRecord<T> | undefined {
    const rec = this.recs[index]!;
    return latestCn(rec) === this.cns[index] ? rec : undefined;
  }

  /** The first entry index whose cn is >= cn. */
  lowerBound(cn: number): number {
    let lo = 0;
    let hi = this.cns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cns[mid]! < cn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private assertLive(rec: JournalRecord<T>): void {
    if (rec.deletedCn !== 0) throw new Error(`record ${rec.serial} is deleted`);
    if (this.bySerial.get(rec.serial) !== rec) throw new Error(`record ${rec.serial} is not in this journal`);
  }

  private append(rec: JournalRecord<T>, cn: number): void {
    this.cns.push(cn);
    this.recs.push(rec);
  }

  private supersede(): void {
    this.stale++;
    if (this.stale > 1024 && this.stale * 2 > this.cns.length) this.compact();
  }

  /** Drops stale entries so walks stay proportional to the records, not to the history. */
  private compact(): void {
    const cns: number[] = [];
    const recs: JournalRecord<T>[] = [];
    for (let i = 0; i < this.cns.length; i++) {
      const rec = this.recs[i]!;
      if (latestCn(rec) === this.cns[i]) {
        cns.push(this.cns[i]!);
        recs.push(rec);
      }
    }
    this.cns = cns;
    this.recs = recs;
    // The entry being superseded right now still counts as stale once its successor lands.
    this.stale = 1;
  }
}
