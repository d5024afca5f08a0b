// Live progress of the local run on stderr (stdout stays clean for --json): a bar of folders
// synced in the current round with pages, changes per second and throttles.
import cliProgress from 'cli-progress';
import type { ProgressListener, ProgressSnapshot } from './run.js';

const FORMAT =
  'round {round}/{rounds} {phase} [{bar}] {value}/{total} folders | {pages} pages | {changes} changes ({rate}/s) | throttled {throttled}';

export interface ProgressDisplay {
  listener: ProgressListener;
  stop(): void;
}

export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) return plainProgress(stream);
  const bar = new cliProgress.SingleBar(
    { format: FORMAT, stream, hideCursor: true, clearOnComplete: false, barsize: 24, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    listener(snapshot) {
      const payload = payloadOf(snapshot);
      if (!started) {
        bar.start(Math.max(1, snapshot.foldersTotal), snapshot.foldersDone, payload);
        started = true;
      }
      bar.setTotal(Math.max(1, snapshot.foldersTotal));
      bar.update(snapshot.foldersDone, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function payloadOf(snapshot: ProgressSnapshot) {
  const seconds = Math.max(0.001, snapshot.elapsedMs / 1000);
  return {
    round: snapshot.round,
    rounds: snapshot.rounds,
    phase: snapshot.phase,
    pages: snapshot.pages,
    changes: snapshot.changesApplied,
    rate: Math.round(snapshot.changesApplied / seconds),
    throttled: snapshot.throttled,
  };
}

/** Without a terminal (CI logs, pipes): one line when the phase or round changes, and every 5 s. */
function plainProgress(stream: NodeJS.WriteStream): ProgressDisplay {
  let lastKey = '';
  let lastAt = 0;
  return {
    listener(snapshot) {
      const key = `${snapshot.round}:${snapshot.phase}`;
      if (key === lastKey && snapshot.elapsedMs - lastAt < 5000) return;
      lastKey = key;
      lastAt = snapshot.elapsedMs;
      const p = payloadOf(snapshot);
      stream.write(
        `round ${p.round}/${p.rounds} ${p.phase}: ${snapshot.foldersDone}/${snapshot.foldersTotal} folders, ` +
          `${p.pages} pages, ${p.changes} changes (${p.rate}/s), throttled ${p.throttled}\n`,
      );
    },
    stop() {},
  };
}
