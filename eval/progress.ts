/**
 * The progress bar on stderr (cli-progress): items done of all, items per second of this session (resumed items
 * are not counted as speed) and the time left. Off when stderr is not a terminal, except for a last line.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

export function startProgress(label: string, total: number, alreadyDone: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const startedAt = performance.now();
  let doneNow = 0;
  const bar = new SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} | {speed} items/s | {eta_formatted} left`,
      etaBuffer: 20,
      hideCursor: false,
      noTTYOutput: false,
    },
    Presets.shades_classic,
  );
  const speed = () => {
    const seconds = (performance.now() - startedAt) / 1000;
    return seconds > 0 ? (doneNow / seconds).toFixed(2) : '0';
  };
  bar.start(total, alreadyDone, { speed: '0' });
  return {
    tick() {
      doneNow++;
      bar.increment(1, { speed: speed() });
    },
    stop() {
      bar.stop();
      if (!stream.isTTY) stream.write(`${label}: ${alreadyDone + doneNow}/${total} items, ${speed()} items/s\n`);
    },
  };
}
