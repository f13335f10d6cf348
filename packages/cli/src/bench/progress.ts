// A progress bar on stderr while a bench runs (TTY only); a no-op otherwise so output stays clean
// for pipes and `-O json`. Updates are throttled by cli-progress itself (fps), so calling
// `update` per batch costs little.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const NOOP: Progress = { update() {}, stop() {} };

export function createProgress(enabled: boolean, label: string, total: number): Progress {
  if (!enabled) return NOOP;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} records | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
