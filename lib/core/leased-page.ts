// The page skeleton shared by folder and hierarchy pages lives in ./page/ (PROTOCOL.md, "Where
// each step lives"); this module keeps the names its importers have always used.
export { commit, decideOwnership, markGone, type Ownership } from './page/cursor-lease.js';
export { slotClaimFor, slotsOf } from './page/mailbox-gate.js';
export {
  baseOutcome,
  type FetchedPage,
  type OutcomeDetails,
  type PageApplier,
  type PageSession,
} from './page/page-applier.js';
export { parkMailbox } from './page/reaction-executor.js';
export { type ClassifiedError, toPageError } from './page/reaction-policy.js';
export { runLeasedPage } from './page/run-leased-page.js';
