/**
 * multipart/related bodies (RFC 2387) as DICOMweb WADO-RS returns frames: each part's headers (its own
 * Content-Type says the transfer syntax the server chose) and its bytes.
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

/** The parts of a multipart body; throws when the body has no part delimited by the boundary. */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = indexOf(body, delimiter, 0);
  while (at !== -1) {
    let start = at + delimiter.length;
    // "--" after the delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const headerEnd = indexOf(body, Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a), start);
    if (headerEnd === -1) break;
    const next = indexOf(body, delimiter, headerEnd + 4);
    if (next === -1) break;
    const headers: Record<string, string> = {};
    for (const line of new TextDecoder().decode(body.subarray(start, headerEnd)).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    // The CRLF before the next delimiter belongs to the delimiter, not to the part.
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    parts.push({ headers, body: body.subarray(headerEnd + 4, end) });
    at = next;
  }
  if (parts.length === 0) throw new Error('the multipart response holds no part');
  return parts;
}

/** The transfer-syntax parameter of a part's Content-Type (`application/octet-stream; transfer-syntax=1.2...`). */
export function partTransferSyntax(contentType: string | undefined): string | null {
  const match = /transfer-syntax\s*=\s*"?([0-9.]+)"?/i.exec(contentType ?? '');
  return match ? match[1]! : null;
}
