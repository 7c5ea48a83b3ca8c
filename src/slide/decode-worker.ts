/// <reference lib="webworker" />
/**
 * A decode worker: tiles (native JPEG, geotiff.js decoders, OpenJPEG) and whole images (DZI/IIIF tiles, plain
 * JPEG/PNG) to RGBA, returned as transferable buffers so nothing is copied back; tiles asked for drawing only
 * (`bitmap`) come back as the native decoder's ImageBitmap when it decoded them.
 */
import wasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import type { DecodeRequest, DecodeResponse } from './decode-protocol';
import { setOpenJpegLoader } from './jpeg2000';
import { decodeToBitmap, decodeWithBrowser } from './native-jpeg';
import { SlideError } from './slide-source';
import { resolveTileRequest } from './tile-codec';
import { decodeTile, decodeTileSamples, nativeJpegFile } from './tile-decoder';

setOpenJpegLoader(async () => {
  const { default: factory } = await import('@cornerstonejs/codec-openjpeg/decodewasmjs');
  return factory({ locateFile: () => wasmUrl, print: () => {}, printErr: () => {} });
});

function sniffType(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0x52 && bytes[1] === 0x49) return 'image/webp';
  return 'image/jpeg';
}

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<DecodeRequest>) => {
  const request = event.data;
  const started = performance.now();
  let response: DecodeResponse;
  let native = false;
  const browserDecoder = async (bytes: Uint8Array, type: string) => {
    const image = await decodeWithBrowser(bytes, type);
    native = true;
    return image;
  };
  try {
    if (request.kind === 'samples') {
      const samples = await decodeTileSamples(await resolveTileRequest(request.job));
      response = { id: request.id, ok: true, samples, ms: performance.now() - started, native: false };
      scope.postMessage(response, [samples.values.buffer as ArrayBuffer]);
      return;
    }
    const job = request.kind === 'tile' ? await resolveTileRequest(request.job) : null;
    if (request.kind === 'tile' && request.bitmap && !request.pureJs) {
      // For drawing: the decoder's bitmap goes to the page as it is (transferred), never read back to RGBA.
      const jpeg = nativeJpegFile(job!);
      const bitmap = jpeg && (await decodeToBitmap(jpeg).catch(() => null)); // refused: the RGBA path below tries pure JS
      if (bitmap) {
        response = { id: request.id, ok: true, bitmap, ms: performance.now() - started, native: true };
        scope.postMessage(response, [bitmap]);
        return;
      }
    }
    const image =
      request.kind === 'tile'
        ? await decodeTile(job!, request.pureJs ? { webp: browserDecoder } : { jpeg: browserDecoder, webp: browserDecoder })
        : await browserDecoder(request.bytes, sniffType(request.bytes));
    response = { id: request.id, ok: true, image, ms: performance.now() - started, native };
    scope.postMessage(response, [image.data.buffer as ArrayBuffer]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    response = { id: request.id, ok: false, message, slideError: error instanceof SlideError };
    scope.postMessage(response);
  }
};
