/**
 * multipart/related bodies (RFC 2387) as DICOMweb WADO-RS returns frames: each part's headers (its own
 * Content-Type says the transfer syntax the server chose) and its bytes. MultipartReader takes the body as it
 * arrives, so each frame can be decoded while the rest of the answer is still on its way; each part gets its own
 * small buffer (posting a view of the whole body to a decode worker would copy the whole body each time).
 */

export interface MultipartPart {
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The boundary parameter of a multipart Content-Type, quoted or not; null when there is none. */
export function multipartBoundary(contentType: string): string | null {
  const match = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  outer: for (let i = haystack.indexOf(first, from); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF_CRLF = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a);

/** A multipart body read chunk by chunk: push() gives the parts completed so far, finish() checks there was one. */
export class MultipartReader {
  private readonly delimiter: Uint8Array;
  /** Bytes not yet made into parts; starts at a delimiter once the first one has been seen. */
  private pending = new Uint8Array(0);
  private started = false;
  private closed = false;
  /** Where the search for the current part's closing delimiter goes on (bytes before it were searched). */
  private searchFrom = 0;
  private count = 0;

  constructor(boundary: string) {
    this.delimiter = new TextEncoder().encode(`--${boundary}`);
  }

  push(chunk: Uint8Array): MultipartPart[] {
    if (this.closed || chunk.length === 0) return [];
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    this.pending = joined;
    const parts: MultipartPart[] = [];
    const { delimiter } = this;
    if (!this.started) {
      const first = indexOf(this.pending, delimiter, 0);
      if (first === -1) {
        // Preamble: keep only what could be the start of a delimiter.
        this.pending = this.pending.slice(Math.max(0, this.pending.length - delimiter.length + 1));
        return parts;
      }
      this.started = true;
      this.pending = this.pending.subarray(first);
    }
    let at = 0;
    for (;;) {
      const body = this.pending;
      let start = at + delimiter.length;
      if (body.length < start + 2) break;
      // "--" after the delimiter closes the body.
      if (body[start] === 0x2d && body[start + 1] === 0x2d) {
        this.closed = true;
        break;
      }
      if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
      const headerEnd = indexOf(body, CRLF_CRLF, start);
      if (headerEnd === -1) break;
      const next = indexOf(body, delimiter, Math.max(headerEnd + 4, this.searchFrom));
      if (next === -1) {
        this.searchFrom = Math.max(headerEnd + 4, body.length - delimiter.length + 1);
        break;
      }
      const headers: Record<string, string> = {};
      for (const line of new TextDecoder().decode(body.subarray(start, headerEnd)).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      // The CRLF before the next delimiter belongs to the delimiter, not to the part.
      let end = next;
      if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
      parts.push({ headers, body: body.slice(headerEnd + 4, end) });
      this.count++;
      at = next;
      this.searchFrom = 0;
    }
    this.pending = this.pending.subarray(at);
    if (this.searchFrom > 0) this.searchFrom -= at;
    return parts;
  }

  /** Call at the end of the body; throws when the body held no part delimited by the boundary. */
  finish(): void {
    if (this.count === 0) throw new Error('the multipart response holds no part');
  }
}

/** The parts of a whole multipart body; throws when the body has no part delimited by the boundary. */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const reader = new MultipartReader(boundary);
  const parts = reader.push(body);
  reader.finish();
  return parts;
}

/** The transfer-syntax parameter of a part's Content-Type (`application/octet-stream; transfer-syntax=1.2...`). */
export function partTransferSyntax(contentType: string | undefined): string | null {
  const match = /transfer-syntax\s*=\s*"?([0-9.]+)"?/i.exec(contentType ?? '');
  return match ? match[1]! : null;
}
