// The generated organisation: mailboxes user1..userN@domain with the distinguished folders, nested
// custom folders and items of every type, all deterministic from the seed.
import { generateItemProps } from './item-factory.js';
import { type FolderRecord, SimMailbox } from './mailbox.js';
import type { FolderType, ItemType, Person } from './model.js';
import { hashSeed, Random } from './random.js';

export interface OrganisationOptions {
  seed: number;
  mailboxes: number;
  /** Custom folders per mailbox, besides the distinguished ones. */
  foldersPerMailbox: number;
  itemsPerMailbox: number;
  domain?: string;
  /** Associated (FAI) items per mail folder, seen only with SyncScope NormalAndAssociatedItems. */
  associatedItemsPerFolder?: number;
}

interface DistinguishedSpec {
  id: string;
  name: string;
  folderClass: string;
  type: FolderType;
  /** Share of the mailbox's items. */
  weight: number;
}

const DISTINGUISHED: DistinguishedSpec[] = [
  { id: 'inbox', name: 'Inbox', folderClass: 'IPF.Note', type: 'Folder', weight: 40 },
  { id: 'sentitems', name: 'Sent Items', folderClass: 'IPF.Note', type: 'Folder', weight: 14 },
  { id: 'drafts', name: 'Drafts', folderClass: 'IPF.Note', type: 'Folder', weight: 2 },
  { id: 'deleteditems', name: 'Deleted Items', folderClass: 'IPF.Note', type: 'Folder', weight: 5 },
  { id: 'junkemail', name: 'Junk Email', folderClass: 'IPF.Note', type: 'Folder', weight: 2 },
  { id: 'outbox', name: 'Outbox', folderClass: 'IPF.Note', type: 'Folder', weight: 0 },
  { id: 'archive', name: 'Archive', folderClass: 'IPF.Note', type: 'Folder', weight: 3 },
  { id: 'calendar', name: 'Calendar', folderClass: 'IPF.Appointment', type: 'CalendarFolder', weight: 10 },
  { id: 'contacts', name: 'Contacts', folderClass: 'IPF.Contact', type: 'ContactsFolder', weight: 7 },
  { id: 'tasks', name: 'Tasks', folderClass: 'IPF.Task', type: 'TasksFolder', weight: 4 },
  { id: 'notes', name: 'Notes', folderClass: 'IPF.StickyNote', type: 'Folder', weight: 1 },
];
const CUSTOM_NAMES = [
  'Projects',
  'Clients',
  'Receipts',
  'Travel',
  'Newsletters',
  'Team',
  'Archive 2025',
  'Legal',
];
const CUSTOM_WEIGHT = 12;

/** Item types a folder of this class holds, with weights. */
export function itemTypesFor(folderClass: string): Partial<Record<ItemType, number>> {
  if (folderClass.startsWith('IPF.Appointment')) return { CalendarItem: 1 };
  if (folderClass.startsWith('IPF.Contact')) return { Contact: 9, DistributionList: 1 };
  if (folderClass.startsWith('IPF.Task')) return { Task: 1 };
  if (folderClass.startsWith('IPF.StickyNote')) return { Message: 1 };
  return { Message: 85, MeetingRequest: 8, PostItem: 7 };
}

const FOLDER_TYPE_BY_CLASS: Record<string, FolderType> = {
  'IPF.Note': 'Folder',
  'IPF.Appointment': 'CalendarFolder',
  'IPF.Contact': 'ContactsFolder',
  'IPF.Task': 'TasksFolder',
};

export function folderTypeFor(folderClass: string): FolderType {
  return FOLDER_TYPE_BY_CLASS[folderClass] ?? 'Folder';
}

/** The newest generated item is received at this instant; mutations move the clock on from there. */
export const GENERATION_EPOCH_MS = Date.UTC(2026, 9, 1);

export class Organisation {
  readonly mailboxes: SimMailbox[] = [];
  private readonly bySmtp = new Map<string, SimMailbox>();
  readonly domain: string;
  /** Simulated wall clock for timestamps of mutations. */
  clockMs = GENERATION_EPOCH_MS;

  constructor(
    readonly seed: number,
    domain = 'contoso.test',
  ) {
    this.domain = domain;
  }

  static generate(options: OrganisationOptions): Organisation {
    const org = new Organisation(options.seed, options.domain);
    for (let i = 0; i < options.mailboxes; i++) org.addMailbox(i + 1, options);
    return org;
  }

  mailbox(smtp: string): SimMailbox | undefined {
    return this.bySmtp.get(smtp.toLowerCase());
  }

  owner(mailbox: SimMailbox): Person {
    return { name: mailbox.displayName, email: mailbox.smtp };
  }

  tick(): number {
    this.clockMs += 60_000;
    return this.clockMs;
  }

  private addMailbox(n: number, options: OrganisationOptions): SimMailbox {
    const rng = new Random(hashSeed(options.seed, `mailbox:${n}`));
    const smtp = `user${n}@${this.domain}`;
    const mailbox = new SimMailbox(this.mailboxes.length, smtp, `User ${n}`, rng.bytes(16));
    this.mailboxes.push(mailbox);
    this.bySmtp.set(smtp, mailbox);

    const root = mailbox.createFolder(0, 'Root', '', 'Folder', 'root');
    const top = mailbox.createFolder(
      root.serial,
      'Top of Information Store',
      '', // Exchange gives the root of the IPM subtree no FolderClass
      'Folder',
      'msgfolderroot',
    );
    mailbox.createFolder(root.serial, 'Finder', '', 'Folder', 'searchfolders');
    const weights = new Map<number, number>();
    for (const spec of DISTINGUISHED) {
      const rec = mailbox.createFolder(top.serial, spec.name, spec.folderClass, spec.type, spec.id);
      weights.set(rec.serial, spec.weight);
    }
    // A search folder inside the synced tree: hierarchy clients must recognise and skip it.
    mailbox.createFolder(top.serial, 'Unread Mail', 'IPF.Note', 'SearchFolder');

    const parents: FolderRecord[] = [top, mailbox.liveFolder(mailbox.distinguishedSerial('inbox')!)];
    for (let i = 0; i < options.foldersPerMailbox; i++) {
      const folderClass = rng.chance(0.8)
        ? 'IPF.Note'
        : rng.pick(['IPF.Appointment', 'IPF.Contact', 'IPF.Task']);
      const name = `${rng.pick(CUSTOM_NAMES)} ${i + 1}`;
      const rec = mailbox.createFolder(
        rng.pick(parents).serial,
        name,
        folderClass,
        folderTypeFor(folderClass),
      );
      parents.push(rec);
      weights.set(rec.serial, CUSTOM_WEIGHT / Math.max(1, options.foldersPerMailbox));
    }

    const owner = this.owner(mailbox);
    const weightTable = Object.fromEntries(
      [...weights].filter(([, w]) => w > 0).map(([s, w]) => [String(s), w]),
    );
    const spanMs = 180 * 86_400_000;
    for (let i = 0; i < options.itemsPerMailbox; i++) {
      const folderSerial = Number(rng.weighted(weightTable));
      const folder = mailbox.liveFolder(folderSerial);
      const type = rng.weighted(itemTypesFor(folder.value.folderClass) as Record<ItemType, number>);
      // Oldest first, so the newest item also has the newest change number.
      const received =
        GENERATION_EPOCH_MS - spanMs + Math.floor((spanMs * (i + 1)) / (options.itemsPerMailbox + 1));
      const props = generateItemProps(rng, type, owner, this.domain, received);
      if (folder.value.folderClass === 'IPF.StickyNote') props.itemClass = 'IPM.StickyNote';
      mailbox.createItem(folderSerial, type, props, { isRead: rng.chance(0.7) });
    }

    const fai = options.associatedItemsPerFolder ?? 1;
    for (const spec of ['inbox', 'calendar']) {
      const serial = mailbox.distinguishedSerial(spec)!;
      for (let i = 0; i < fai; i++) {
        const props = generateItemProps(rng, 'Message', owner, this.domain, GENERATION_EPOCH_MS - spanMs);
        props.itemClass = i === 0 ? 'IPM.Configuration.OWA.UserOptions' : `IPM.Configuration.Sim${i}`;
        props.subject = '';
        mailbox.createItem(serial, 'Message', props, { isAssociated: true });
      }
    }
    return mailbox;
  }
}
