// The page skeleton shared by folder and hierarchy pages (PROTOCOL.md, "Where each step lives"):
// what the two page use cases need of it.
export { commit, decideOwnership, type Ownership } from './cursor-lease.js';
export { mayRunInline } from './inline-chain.js';
export { slotClaimFor, slotsOf } from './mailbox-gate.js';
export {
  baseOutcome,
  type FetchedPage,
  fetchedPage,
  type OutcomeDetails,
  type PageApplier,
  type PageSession,
} from './page-applier.js';
export { parkMailbox } from './reaction-executor.js';
export { type ClassifiedError, toPageError } from './reaction-policy.js';
export { hasLaneAfter, startReadAhead } from './read-ahead.js';
export { runLeasedPage } from './run-leased-page.js';
