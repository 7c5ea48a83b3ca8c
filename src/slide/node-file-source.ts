/**
 * A slide file on the local disk, for Node only (CLI, tests, benchmarks). Never imported by browser code:
 * open-slide.ts knows nothing about paths; open-slide-node.ts adds them.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ByteSource } from './byte-source';
import { SlideError } from './slide-source';

export async function nodeFileSource(path: string): Promise<ByteSource> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'permission was denied'
            : (error as Error).message;
    throw new SlideError(`Could not open ${path}: ${why}.`);
  }
  const { size } = await handle.stat();
  const file = handle;
  return {
    name: basename(path),
    size,
    read: async (offset, length) => {
      const end = Math.min(offset + length, size);
      if (end <= offset) return new Uint8Array(0);
      const out = new Uint8Array(end - offset);
      const { bytesRead } = await file.read(out, 0, out.byteLength, offset);
      return out.subarray(0, bytesRead);
    },
    close: () => file.close(),
  };
}
