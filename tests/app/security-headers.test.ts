import { describe, expect, it } from 'vitest';
import { connectSourcesFromEnvironment, contentSecurityPolicy, crossOriginIsolationHeaders } from '../../src/app/security-headers';

const directives = (policy: string) =>
  new Map(
    policy.split('; ').map((directive) => {
      const [name, ...values] = directive.split(' ');
      return [name!, values] as const;
    }),
  );

describe('security headers', () => {
  it('isolate the page so SharedArrayBuffer (multi-threaded WASM) is available', () => {
    expect(crossOriginIsolationHeaders['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(crossOriginIsolationHeaders['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });

  it('allow no third-party origin and no eval by default', () => {
    const policy = directives(contentSecurityPolicy({}));
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    for (const values of policy.values()) {
      for (const value of values) expect(value).toMatch(/^('[a-z-]+'|blob:|data:)$/);
    }
  });

  it('add a nonce for the dev server and user-configured origins to connect-src only', () => {
    const policy = directives(contentSecurityPolicy({ nonce: 'abc', extraConnectSources: ['https://llm.hospital.example'] }));
    expect(policy.get('script-src')).toContain("'nonce-abc'");
    expect(policy.get('connect-src')).toContain('https://llm.hospital.example');
    expect(policy.get('img-src')).not.toContain('https://llm.hospital.example');
  });
});

describe('PATHOLENS_CONNECT_SOURCES', () => {
  it('accepts plain origins, space or comma separated', () => {
    expect(connectSourcesFromEnvironment(undefined)).toEqual([]);
    expect(connectSourcesFromEnvironment('  ')).toEqual([]);
    expect(connectSourcesFromEnvironment('https://tiles.example.org, http://10.0.0.5:8000/')).toEqual(['https://tiles.example.org', 'http://10.0.0.5:8000']);
  });

  it('refuses anything that would widen the policy beyond an origin', () => {
    expect(() => connectSourcesFromEnvironment('*')).toThrow('is not a URL');
    expect(() => connectSourcesFromEnvironment('https://tiles.example.org/slides')).toThrow('not a plain http(s) origin');
    expect(() => connectSourcesFromEnvironment('javascript:alert(1)')).toThrow('not a plain http(s) origin');
  });
});
