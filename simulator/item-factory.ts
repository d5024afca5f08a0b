// Realistic first-class properties for generated items, deterministic from the caller's Random.
import type { ItemProps, ItemType, Person } from './model.js';
import type { Random } from './random.js';

const FIRST = [
  'Alex',
  'Maria',
  'Jonas',
  'Priya',
  'Chen',
  'Fatima',
  'Lukas',
  'Sofia',
  'Omar',
  'Emma',
  'Noah',
  'Aiko',
];
const LAST = [
  'Meyer',
  'Garcia',
  'Novak',
  'Sharma',
  'Li',
  'Haddad',
  'Schmidt',
  'Rossi',
  'Khan',
  'Dubois',
  'Berg',
];
const TOPICS = [
  'Quarterly report',
  'Project kickoff',
  'Budget review',
  'Invoice 4471',
  'Team offsite',
  'Contract renewal',
  'Release plan',
  'Customer feedback',
  'Security review',
  'Hiring update',
  'Travel booking',
  'Design sync',
  'Status: migration & rollout',
  'Q&A <follow-up>',
  'Café meeting — notes',
];
const PREFIXES = ['', '', '', 'RE: ', 'FW: ', 'Re: '];
const LOCATIONS = ['Room 4.12', 'Teams', 'Main office', 'Café Central', 'Building B / Floor 2'];
const COMPANIES = ['Contoso', 'Fabrikam', 'Northwind Traders', 'Tailspin Toys', 'Litware'];
const CATEGORIES = ['Red category', 'Blue category', 'Important', 'Follow up'];

export const ITEM_CLASS: Record<ItemType, string> = {
  Message: 'IPM.Note',
  CalendarItem: 'IPM.Appointment',
  MeetingRequest: 'IPM.Schedule.Meeting.Request',
  Contact: 'IPM.Contact',
  DistributionList: 'IPM.DistList',
  Task: 'IPM.Task',
  PostItem: 'IPM.Post',
};

export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function randomPerson(rng: Random, domain: string): Person {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const host = rng.chance(0.5) ? domain : rng.pick(['fabrikam.test', 'example.test', 'northwind.test']);
  return { name: `${first} ${last}`, email: `${first}.${last}@${host}`.toLowerCase() };
}

export function randomSubject(rng: Random): string {
  return `${rng.pick(PREFIXES)}${rng.pick(TOPICS)}${rng.chance(0.3) ? ` #${rng.between(1, 999)}` : ''}`;
}

/** Properties for a new item of `type` received at `receivedMs`, owned by `owner`. */
export function generateItemProps(
  rng: Random,
  type: ItemType,
  owner: Person,
  domain: string,
  receivedMs: number,
): ItemProps {
  const received = isoSeconds(receivedMs);
  const sent = isoSeconds(receivedMs - rng.between(1, 600) * 1000);
  const from =
    type === 'Message' || type === 'MeetingRequest' || type === 'PostItem'
      ? randomPerson(rng, domain)
      : undefined;
  const to = [owner, ...(rng.chance(0.4) ? [randomPerson(rng, domain)] : [])];
  const subject = randomSubject(rng);
  const props: ItemProps = {
    itemClass: ITEM_CLASS[type],
    subject,
    sensitivity: rng.chance(0.05) ? 'Private' : 'Normal',
    importance: rng.chance(0.1) ? 'High' : rng.chance(0.05) ? 'Low' : 'Normal',
    dateTimeReceived: received,
    dateTimeSent: sent,
    dateTimeCreated: received,
    lastModifiedTime: received,
    size: rng.between(900, 120_000),
    hasAttachments: rng.chance(0.2),
    categories: rng.chance(0.15) ? [rng.pick(CATEGORIES)] : [],
    displayTo: to.map((p) => p.name).join('; '),
    displayCc: rng.chance(0.2) ? randomPerson(rng, domain).name : '',
    isDraft: false,
    ...(from ? { from, toRecipients: to } : {}),
  };
  if (from) {
    props.internetMessageId = `<${rng.bytes(8).toString('hex')}@${from.email.split('@')[1]}>`;
    props.conversationTopic = subject.replace(/^(RE|FW|Re): /, '');
  }
  if (type === 'CalendarItem' || type === 'MeetingRequest') {
    const start = receivedMs + rng.between(1, 30 * 24) * 3_600_000;
    const allDay = rng.chance(0.1);
    props.uid = rng.bytes(28).toString('hex').toUpperCase();
    props.start = isoSeconds(start);
    props.end = isoSeconds(start + (allDay ? 86_400_000 : rng.pick([30, 45, 60, 90]) * 60_000));
    props.isAllDayEvent = allDay;
    props.location = rng.pick(LOCATIONS);
    props.organizer =
      type === 'CalendarItem' && rng.chance(0.6) ? owner : (from ?? randomPerson(rng, domain));
  }
  if (type === 'Contact' || type === 'DistributionList') {
    const person = randomPerson(rng, domain);
    const [given = '', sur = ''] = person.name.split(' ');
    props.displayName = type === 'Contact' ? person.name : `${rng.pick(COMPANIES)} team`;
    props.subject = props.displayName;
    props.displayTo = '';
    props.displayCc = '';
    if (type === 'Contact') {
      props.givenName = given;
      props.surname = sur;
      props.companyName = rng.pick(COMPANIES);
      props.emailAddress = person.email;
      props.phone = `+1 555 ${rng.between(1000, 9999)}`;
    } else {
      props.memberCount = rng.between(2, 25);
    }
  }
  if (type === 'Task') {
    props.status = rng.pick([
      'NotStarted',
      'InProgress',
      'Completed',
      'WaitingOnOthers',
      'Deferred',
    ] as const);
    props.percentComplete = props.status === 'Completed' ? 100 : props.status === 'NotStarted' ? 0 : 50;
    props.dueDate = isoSeconds(receivedMs + rng.between(1, 14) * 86_400_000);
    props.displayTo = '';
  }
  return props;
}

/** A visible edit: new subject or importance, touched modification time, sometimes the read flag. */
export function editItemProps(rng: Random, props: ItemProps, nowMs: number): void {
  if (rng.chance(0.6)) props.subject = randomSubject(rng);
  else props.importance = props.importance === 'High' ? 'Normal' : 'High';
  if (props.status && rng.chance(0.5)) {
    props.status = 'Completed';
    props.percentComplete = 100;
  }
  props.lastModifiedTime = isoSeconds(nowMs);
  props.size += rng.between(1, 500);
}
