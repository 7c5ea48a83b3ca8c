/** Loads the OpenJPEG WebAssembly decoder in Node (it finds its .wasm next to its script). Node only. */
import { createRequire } from 'node:module';
import { setOpenJpegLoader, type OpenJpegModule } from './jpeg2000';

type Factory = (options?: object) => Promise<OpenJpegModule>;

export function installNodeOpenJpeg(): void {
  setOpenJpegLoader(async () => {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as Factory;
    // OpenJPEG prints [INFO] lines for every tile: keep them off the CLI's stdout.
    return factory({ print: () => {}, printErr: () => {} });
  });
}
