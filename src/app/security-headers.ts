/**
 * HTTP headers that every PathoLens server (dev, preview, kiosk) sends.
 * Cross-origin isolation unlocks SharedArrayBuffer, which multi-threaded WASM inference needs.
 * The Content-Security-Policy allows no third-party origin: slides and models never leave the machine, and
 * a URL the user configures (tile server, OpenAI-compatible server) is added through `extraConnectSources`.
 */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export interface ContentSecurityPolicyOptions {
  /** Nonce for inline scripts/styles injected by the dev server (never used in production). */
  nonce?: string;
  /** Origins the user configured (e.g. an inference server); none by default. */
  extraConnectSources?: readonly string[];
}

export function contentSecurityPolicy({ nonce, extraConnectSources = [] }: ContentSecurityPolicyOptions): string {
  const nonceSource = nonce ? ` 'nonce-${nonce}'` : '';
  const directives: Record<string, string> = {
    'default-src': "'self'",
    // 'wasm-unsafe-eval' lets ONNX Runtime compile its WebAssembly; it does not allow eval() of JS.
    'script-src': `'self' 'wasm-unsafe-eval'${nonceSource}`,
    'style-src': `'self'${nonceSource}`,
    'img-src': "'self' blob: data:",
    'connect-src': ["'self'", 'blob:', 'data:', ...extraConnectSources].join(' '),
    'worker-src': "'self' blob:",
    'font-src': "'self'",
    'object-src': "'none'",
    'base-uri': "'self'",
    'form-action': "'self'",
    'frame-ancestors': "'none'",
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/**
 * Origins the person running PathoLens allows it to contact (tile servers, an inference server), from the
 * PATHOLENS_CONNECT_SOURCES environment variable: space- or comma-separated origins such as
 * "https://tiles.hospital.example http://10.0.0.5:8000". Anything that is not a plain http(s) origin is refused
 * with a sentence, so a typo cannot widen the policy.
 */
export function connectSourcesFromEnvironment(value: string | undefined): string[] {
  if (!value?.trim()) return [];
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new Error(`PATHOLENS_CONNECT_SOURCES: "${entry}" is not a URL; give origins like https://tiles.example.org.`);
      }
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash || url.username) {
        throw new Error(`PATHOLENS_CONNECT_SOURCES: "${entry}" is not a plain http(s) origin; give only scheme, host and port.`);
      }
      return url.origin;
    });
}
