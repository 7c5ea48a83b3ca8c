/**
 * The harness's progress bar (cli-progress on a stream): on a terminal it shows items done of all, this
 * session's items/s and the time left; where stderr is not a terminal it writes one last line only.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startProgress } from '../../eval/progress';

const ESC = String.fromCharCode(27);

/** A writable stream that keeps what is written; `isTTY` makes cli-progress draw the bar as on a terminal. */
function captured(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number };
  stream.isTTY = isTTY;
  stream.columns = 160;
  // cli-progress moves to column 1 (ESC [1G) before each redraw: one frame per move, escape codes removed.
  const frames = () =>
    text
      .split(new RegExp(`${ESC}\\[1G|[\\r\\n]+`))
      .map((frame) => frame.replace(new RegExp(`${ESC}(?:\\[[0-9;?]*[A-Za-z]|[78])`, 'g'), ''))
      .filter(Boolean);
  return { stream: stream as unknown as NodeJS.WriteStream, frames, text: () => text };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('progress bar', () => {
  it('on a terminal: done/total counting resumed items, items/s and time left', async () => {
    const out = captured(true);
    const progress = startProgress('mcq', 10, 4, out.stream);
    for (let tick = 0; tick < 3; tick++) {
      await pause(30);
      progress.tick();
    }
    progress.stop();
    const lines = out.frames();
    const last = lines.at(-1)!;
    expect(last).toMatch(/^mcq \[[█░]+\] 7\/10 \| \d+\.\d\d items\/s \| \S+ left$/);
    // The speed is this session's 3 items, not the 4 resumed ones: over 0 and at most 3 items in ~90 ms.
    const speed = Number(/\| (\S+) items\/s/.exec(last)![1]);
    expect(speed).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/ 4\/10 \| /);
  });

  it('not a terminal: no bar, one last line with the count and items/s', () => {
    const out = captured(false);
    const progress = startProgress('retrieval', 5, 0, out.stream);
    progress.tick();
    progress.tick();
    progress.stop();
    expect(out.text()).toMatch(/^retrieval: 2\/5 items, \d+\.\d\d items\/s\n$/);
  });
});
