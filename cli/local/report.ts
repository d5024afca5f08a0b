// The local run's summary for people: a table per round and the totals, coloured only on a
// terminal that wants colours (wantsColour), plus the folders that differ.
import Table from 'cli-table3';
import { tableStyle, wantsColour } from '../operator/render.js';
import type { LocalRunReport } from './run.js';

/** `Notes ×3, Sync Issues ×3`: each folder name once, with how many mailboxes have it. */
export function describeLeftOut(leftOut: readonly { displayName: string }[]): string {
  const counts = new Map<string, number>();
  for (const { displayName } of leftOut) counts.set(displayName, (counts.get(displayName) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => (count > 1 ? `${name} ×${count}` : name))
    .join(', ');
}

export function printReport(
  report: LocalRunReport,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const { summary } = report;
  const style = tableStyle(wantsColour(out, env));
  const rounds = new Table({ head: ['round', 'mutations', 'pages', 'changes applied', 'seconds'], style });
  for (const r of report.rounds) {
    rounds.push([r.round, r.mutationsApplied, r.pages, r.changesApplied, (r.durationMs / 1000).toFixed(1)]);
  }
  const totals = new Table({ style });
  const leftOut =
    summary.foldersLeftOut === 0 ? '0' : `${summary.foldersLeftOut}: ${describeLeftOut(report.leftOut)}`;
  totals.push(
    { verified: summary.verified ? 'yes: the mirror equals the server' : 'NO' },
    { mailboxes: summary.mailboxes },
    // The same count as the progress line's "folders".
    { 'folders synced': summary.folders },
    { 'folders deleted on the server (checked empty)': summary.foldersGone },
    { 'folders left out by the filter': leftOut },
    { 'server items': summary.serverItems },
    { 'mirrored items': summary.mirroredItems },
    { 'missing / extra / stale': `${summary.missing} / ${summary.extra} / ${summary.stale}` },
    { pages: summary.pages },
    { 'changes applied': summary.changesApplied },
    { 'throttle answers': summary.throttled },
    { 'max concurrent EWS sync calls per mailbox': summary.maxConcurrentSyncCallsPerMailbox },
    { 'max concurrent Graph requests per mailbox': summary.maxConcurrentGraphRequestsPerMailbox },
    ...Object.entries(summary.sources).map(([kind, s]) => ({
      [`${kind}: mailboxes, items (server / mirror), differing`]: `${s.mailboxes}, ${s.serverItems} / ${s.mirroredItems}, ${s.missing + s.extra + s.stale}`,
    })),
    { 'dead letters': report.deadLetters },
    { seconds: (summary.durationMs / 1000).toFixed(1) },
  );
  out.write(`${rounds.toString()}\n${totals.toString()}\n`);
  for (const diff of report.differences) {
    out.write(
      `differs: ${diff.mailboxId} folder ${diff.folderId}: ${diff.missing.length} missing, ` +
        `${diff.extra.length} extra, ${diff.stale.length} stale\n`,
    );
  }
}
