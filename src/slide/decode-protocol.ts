/** Messages between the decode pool (main thread) and its workers. */
import type { RgbaImage } from './slide-source';
import type { TileRequest } from './tile-codec';
import type { DecodedSamples } from './tile-decoder';

export type DecodeRequest =
  | {
      id: number;
      kind: 'tile';
      job: TileRequest;
      /** Force geotiff.js's pure-JS JPEG decoder (benchmark). */
      pureJs?: boolean;
      /** For drawing only: answer a natively decoded JPEG as `bitmap` (no readback to RGBA); others still as `image`. */
      bitmap?: boolean;
    }
  | { id: number; kind: 'samples'; job: TileRequest }
  | { id: number; kind: 'image'; bytes: Uint8Array };

export type DecodeResponse =
  | ({ id: number; ok: true; ms: number; /** Decoded by the browser's own image decoder. */ native: boolean } & (
      { image: RgbaImage } | { samples: DecodedSamples } | { bitmap: ImageBitmap }
    ))
  | { id: number; ok: false; message: string; slideError: boolean };
