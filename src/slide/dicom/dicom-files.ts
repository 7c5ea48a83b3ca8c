/**
 * A DICOM slide from Part 10 files: one file, several files or a folder's files (each level and the label /
 * overview are instances of one series). Files that are not DICOM, and DICOM files without pixel data
 * (DICOMDIR), are passed over when several are given.
 */
import type { ByteSource } from '../byte-source';
import { SlideError } from '../slide-source';
import { DicomSlideSource, type DicomSlideOptions, type FrameReader } from './dicom-slide';
import { readPart10Instance, looksLikeDicom, type FrameRange, type Part10Instance } from './part10-instance';
import { frameCodec, transferSyntaxName } from './transfer-syntax';
import { planWsiSeries, type WsiInstance } from './wsi-series';
import { TAG } from './dicom-attributes';

export interface DicomFilesOptions extends DicomSlideOptions {
  /** The decoder reads Blob ranges itself (worker pool), so frame bytes never pass through the page. */
  decodeReadsBlobs?: boolean;
}

/**
 * Bytes of neighbouring frames a decode worker reads in one Blob read (a read costs ~3-4 ms whatever its size):
 * frames are grouped in runs of consecutive frames (in TILED_FULL, a row's neighbours) of about this size.
 */
const RUN_BYTES = 512 * 1024;
let openedSeries = 0;

/**
 * The run of frames around `frame` (aligned groups of frames, so every tile of a group names the same run and
 * the worker's cache finds it); null when the frames are not stored one after another (then frames are read alone).
 */
export function frameRun(frames: FrameRange[], frame: number): FrameRange | null {
  const average = frames.reduce((sum, range) => sum + range.length, 0) / Math.max(1, frames.length);
  const perRun = Math.max(1, Math.floor(RUN_BYTES / Math.max(1, average)));
  if (perRun === 1) return null;
  const first = Math.floor(frame / perRun) * perRun;
  const last = Math.min(frames.length, first + perRun) - 1;
  for (let i = first + 1; i <= last; i++) if (frames[i]!.offset < frames[i - 1]!.offset + frames[i - 1]!.length) return null;
  const offset = frames[first]!.offset;
  const length = frames[last]!.offset + frames[last]!.length - offset;
  return length <= 2 * RUN_BYTES ? { offset, length } : null;
}

function fileFrames(decodeReadsBlobs: boolean): FrameReader<Part10Instance> {
  const key = `dicom-${++openedSeries}-${Math.random().toString(36).slice(2)}`;
  const instanceKey = (instance: WsiInstance<Part10Instance>) => `${instance.handle.source.name}|${instance.attributes.text(TAG.SOPInstanceUID) ?? ''}`;
  return {
    instanceKey,
    async readFrame(instance, frame, signal) {
      const { handle } = instance;
      const range = handle.frames[frame];
      if (!range) throw new SlideError(`${handle.source.name} has no frame ${frame + 1}; the DICOM file is damaged.`);
      const { blob } = handle.source;
      if (blob && decodeReadsBlobs) {
        const run = frameRun(handle.frames, frame);
        const fileKey = `${key}|${instanceKey(instance)}`;
        const file = run && run.offset + run.length <= blob.size ? { blob, ranges: [range], run: { fileKey, ...run } } : { blob, ranges: [range] };
        return { bytes: { file }, transferSyntax: handle.transferSyntax };
      }
      const data = await handle.source.read(range.offset, range.length, signal);
      if (data.length < range.length) throw new SlideError(`${handle.source.name} is truncated: a frame lies past the end of the file.`);
      return { bytes: { planes: [data] }, transferSyntax: handle.transferSyntax };
    },
    close: async () => {},
  };
}

/** Opens the series the files hold; `name` is what the user calls the whole (a file or folder name). */
export async function openDicomFiles(name: string, sources: ByteSource[], options: DicomFilesOptions): Promise<DicomSlideSource<Part10Instance>> {
  const instances: WsiInstance<Part10Instance>[] = [];
  let firstProblem: unknown = null;
  try {
    for (const source of sources) {
      const head = await source.read(0, 132, options.signal);
      if (!looksLikeDicom(head)) {
        if (sources.length === 1) throw new SlideError(`${source.name} is not a DICOM file.`);
        continue;
      }
      try {
        const handle = await readPart10Instance(source, options.signal);
        instances.push({ attributes: handle.attributes, handle });
      } catch (error) {
        if (sources.length === 1 || options.signal?.aborted) throw error;
        firstProblem ??= error;
      }
    }
    if (instances.length === 0) {
      if (firstProblem) throw firstProblem;
      throw new SlideError(`${name} holds no DICOM file; open the .dcm files of a slide (or their folder).`);
    }
    const series = planWsiSeries(name, instances);
    // Every level must decode: a level whose frames PathoLens cannot decode is refused now, with its name.
    for (const level of series.levels) {
      for (const instance of level.instances) {
        const codec = frameCodec('check', instance.attributes, instance.handle.transferSyntax);
        if (typeof codec === 'string') {
          throw new SlideError(
            `${name} is a DICOM slide whose frames (${instance.handle.source.name}) use ${codec}, which PathoLens cannot decode; convert it to JPEG or JPEG 2000 frames (e.g. with wsidicomizer).`,
          );
        }
      }
    }
    const base = series.levels[0]!.instances[0]!.handle;
    return await DicomSlideSource.open(name, series, fileFrames(options.decodeReadsBlobs ?? false), transferSyntaxName(base.transferSyntax), options);
  } catch (error) {
    await Promise.all(sources.map((source) => source.close().catch(() => {})));
    throw error;
  }
}
