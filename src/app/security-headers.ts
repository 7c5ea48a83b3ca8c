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
