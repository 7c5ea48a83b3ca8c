/**
 * A DICOM slide from Part 10 files: one file, several files or a folder's files (each level and the label /
 * overview are instances of one series). Files that are not DICOM, and DICOM files without pixel data
 * (DICOMDIR), are passed over when several are given.
 */
import type { ByteSource } from '../byte-source';
import { SlideError } from '../slide-source';
import { DicomSlideSource, type DicomSlideOptions, type FrameReader } from './dicom-slide';
import { readPart10Instance, looksLikeDicom, type Part10Instance } from './part10-instance';
import { frameCodec, transferSyntaxName } from './transfer-syntax';
import { planWsiSeries, type WsiInstance } from './wsi-series';
import { TAG } from './dicom-attributes';

export interface DicomFilesOptions extends DicomSlideOptions {
  /** The decoder reads Blob ranges itself (worker pool), so frame bytes never pass through the page. */
  decodeReadsBlobs?: boolean;
}

const fileFrames = (decodeReadsBlobs: boolean): FrameReader<Part10Instance> => ({
  instanceKey: (instance) => `${instance.handle.source.name}|${instance.attributes.text(TAG.SOPInstanceUID) ?? ''}`,
  async readFrame({ handle }, frame, signal) {
    const range = handle.frames[frame];
    if (!range) throw new SlideError(`${handle.source.name} has no frame ${frame + 1}; the DICOM file is damaged.`);
    const { blob } = handle.source;
    if (blob && decodeReadsBlobs) return { bytes: { file: { blob, ranges: [range] } }, transferSyntax: handle.transferSyntax };
    const data = await handle.source.read(range.offset, range.length, signal);
    if (data.length < range.length) throw new SlideError(`${handle.source.name} is truncated: a frame lies past the end of the file.`);
    return { bytes: { planes: [data] }, transferSyntax: handle.transferSyntax };
  },
  close: async () => {},
});

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
