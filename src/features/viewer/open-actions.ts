/**
 * Opening a slide from the UI: a local file (picker or drop), a URL, or the built-in demo slide. Works out the
 * slide's identity (for its saved ROIs), asks the readers to open it, and hands it to the slide store; any
 * failure becomes one sentence in the error banner and the slide already open stays.
 */
import { SlideError, type SlideSource } from '../../slide/slide-source';
import { errorSentence } from '../../ui/error-sentence';
import type { SlideStore } from '../../session/slide-store';
import { blobIdentity, urlIdentity } from './slide-identity';

/**
 * `files`: the files of one slide stored as several (a DICOM series), or a folder's files and the folder's name.
 * `bearerToken`: an access token for a DICOMweb server, typed next to the URL, kept only while opening.
 */
export type SlideInput = { file: File } | { files: File[]; folder?: string } | { url: string; bearerToken?: string };

/** One chosen file opens as itself; several (or a folder) as the files of one slide. */
export function filesInput(files: File[], folder?: string): SlideInput | null {
  if (files.length === 0) return null;
  return files.length === 1 && !folder ? { file: files[0]! } : { files, folder };
}

/** A folder pick's name: the first part of the files' relative paths. */
export function pickedFolder(files: File[]): string | undefined {
  return files[0]?.webkitRelativePath?.split('/')[0] || undefined;
}

/** The readers' entry point, injected so this module is testable without workers. */
export type SlideOpener = (input: SlideInput) => Promise<SlideSource>;

export interface OpenDependencies {
  open: SlideOpener;
  store: SlideStore;
  reportError(sentence: string): void;
}

export function inputName(input: SlideInput): string {
  if ('files' in input)
    return input.folder ?? (input.files.length === 1 ? input.files[0]!.name : `${input.files[0]?.name ?? 'files'} and ${input.files.length - 1} more files`);
  return 'file' in input ? input.file.name : input.url;
}

/** Several files are known by their largest (a DICOM slide's base level). */
function largestFile(files: File[]): File {
  return files.reduce((a, b) => (b.size > a.size ? b : a));
}

/** True when the slide was opened and shown. */
export async function openInViewer(input: SlideInput, deps: OpenDependencies): Promise<boolean> {
  const name = inputName(input);
  const token = deps.store.getState().beginOpening(name);
  let source: SlideSource | null = null;
  try {
    const identity =
      'files' in input
        ? await blobIdentity(largestFile(input.files))
        : 'file' in input
          ? await blobIdentity(input.file)
          : urlIdentity(input.url, globalThis.location?.origin);
    source = await deps.open(input);
    return await deps.store.getState().showSlide(token, source, identity);
  } catch (error) {
    deps.store.getState().openFailed(token);
    if (source) await source.close().catch(() => undefined);
    const sentence = openFailureSentence(name, error, !('url' in input));
    deps.reportError('url' in input && isOtherOrigin(input.url) ? `${sentence} ${OTHER_ORIGIN_HINT}` : sentence);
    return false;
  }
}

/** The page's CSP (connect-src 'self' plus configured origins) blocks other servers before any request is made. */
export const OTHER_ORIGIN_HINT =
  "PathoLens reads slides from another server only when that server is added to the app's allowed sources (its security policy blocks the rest): start PathoLens with PATHOLENS_CONNECT_SOURCES set to the server's origin (see the README).";

function isOtherOrigin(url: string): boolean {
  const origin = globalThis.location?.origin;
  try {
    return !!origin && new URL(url, origin).origin !== origin;
  } catch {
    return false;
  }
}

/** The readers' SlideErrors are already full sentences; anything else gets "Could not open NAME: why." */
export function openFailureSentence(name: string, error: unknown, isFile: boolean): string {
  const advice = isFile
    ? 'Choose an SVS, TIFF, OME-TIFF, DICOM, JPEG or PNG slide (a DICOM slide: all its files, or its folder).'
    : 'Check the address (a DZI, IIIF or TIFF/SVS URL) and that the server allows this page to read it.';
  if (error instanceof SlideError) {
    const message = error.message.trim();
    return `${/[.!?]$/.test(message) ? message : `${message}.`} ${isFile ? 'Any slide already open stays as it was.' : advice}`;
  }
  return errorSentence(`Could not open ${name}`, error, advice);
}

/** Where `npm start` puts the generated demo slide (public/demo, git-ignored). */
export const DEMO_SLIDE_PATH = '/demo/demo-slide.svs';

/**
 * Opens the demo slide when the server has one. A missing demo is normal (not generated yet), so only a demo
 * that exists but fails to open is reported.
 */
export async function openDemoSlideIfPresent(deps: OpenDependencies, baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  const url = new URL(DEMO_SLIDE_PATH, baseUrl).href;
  let response: Response;
  try {
    response = await fetchImpl(url, { method: 'HEAD' });
  } catch {
    return false;
  }
  // A single-page-app server answers unknown paths with index.html: that is "no demo", not a broken slide.
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.includes('text/html')) return false;
  if (deps.store.getState().slide || deps.store.getState().opening) return false; // the user got there first
  return openInViewer({ url }, deps);
}
