/**
 * A stable key for "the same slide" across reloads, under which its ROIs are stored. A local file is known by
 * its name, size and a SHA-256 of its first bytes (cheap, and tells apart two files that share a name); a
 * remote slide by its URL. Works in browsers and Node (Web Crypto).
 */

/** Bytes hashed from the start of a file: the TIFF header and first directory live there. */
export const IDENTITY_PREFIX_BYTES = 64 * 1024;

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes instanceof Uint8Array ? new Uint8Array(bytes) : bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function fileIdentity(name: string, size: number, firstBytes: ArrayBuffer | Uint8Array): Promise<string> {
  const prefix = firstBytes instanceof Uint8Array ? firstBytes.subarray(0, IDENTITY_PREFIX_BYTES) : firstBytes.slice(0, IDENTITY_PREFIX_BYTES);
  return `file:${name}:${size}:${await sha256Hex(prefix)}`;
}

/** The identity of a File (or Blob with a name) read in the browser. */
export async function blobIdentity(file: Blob & { name: string }): Promise<string> {
  return fileIdentity(file.name, file.size, await file.slice(0, IDENTITY_PREFIX_BYTES).arrayBuffer());
}

/**
 * A remote slide's identity. A slide on the app's own server (the demo) is known by its path, so its ROIs follow it
 * between the dev server, the preview server and a kiosk on another port.
 */
export function urlIdentity(url: string, pageOrigin?: string): string {
  try {
    const parsed = new URL(url);
    if (pageOrigin && parsed.origin === pageOrigin) return `url:${parsed.pathname}${parsed.search}`;
  } catch {
    // not an absolute URL: keep it as typed
  }
  return `url:${url}`;
}
