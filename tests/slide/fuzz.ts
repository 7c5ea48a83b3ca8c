/**
 * The mutation check the slide readers' tests share (fast-check): a real file with a few bytes or 32-bit words
 * overwritten either opens and reads a region, or fails with a SlideError sentence; never another error, a hang,
 * or an allocation the file does not justify.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { openSlideNode } from '../../src/slide/open-slide-node';
import { SlideError, type SlideSource } from '../../src/slide/slide-source';

export interface FuzzTarget {
  /** The files to mutate (one is picked per run). */
  files: Uint8Array[];
  /** File name the reader is told (its extension matters to no reader, but sentences name it). */
  name: string;
  /** Where the structure worth damaging lies (headers, IFDs): aimed at half of the time, anywhere otherwise. */
  aim(length: number): [from: number, to: number];
  /** 32-bit values worth writing besides the usual extremes (markers, tags of the format). */
  words?: number[];
  numRuns?: number;
  /** How a mutated file is opened (default: alone, by name); multi-file slides open it with their other files. */
  open?: (bytes: Uint8Array, which: number) => Promise<SlideSource>;
}

export async function expectMutationsRefusedOrRead({ files, name, aim, words = [], numRuns = 300, open }: FuzzTarget): Promise<void> {
  const interesting = [0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, ...words];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(...interesting) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean(), async (which, mutations, aimed) => {
      const bytes = files[which]!.slice();
      const view = new DataView(bytes.buffer);
      const [from, to] = aimed ? aim(bytes.length) : [0, bytes.length];
      for (const { kind, at, value } of mutations) {
        const where = from + (at % Math.max(1, to - from - 4));
        if (kind === 'byte') bytes[where] = value;
        else view.setUint32(where, value, true);
      }
      const before = process.memoryUsage().arrayBuffers;
      let slide: SlideSource | null = null;
      try {
        slide = open ? await open(bytes, which) : await openSlideNode({ name, bytes });
        const level = slide.metadata.levels[0]!;
        await slide.readRegion({ x: 0, y: 0, width: Math.min(level.width, 512), height: Math.min(level.height, 512) }, null);
      } catch (error) {
        if (!(error instanceof SlideError)) throw new Error(`not a SlideError: ${String(error)}`, { cause: error });
      } finally {
        await slide?.close();
      }
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * 1024 * 1024);
    }),
    { numRuns, seed: 20261128 },
  );
}
