/** Bytes as base64 (for data URLs), in the page, a worker and Node alike. */
export function bytesToBase64(bytes: Uint8Array): string {
  // btoa over 32 KiB slices: String.fromCharCode(...bytes) of a whole image would overflow the call stack.
  let binary = '';
  const slice = 0x8000;
  for (let start = 0; start < bytes.length; start += slice) {
    binary += String.fromCharCode(...bytes.subarray(start, start + slice));
  }
  return btoa(binary);
}
