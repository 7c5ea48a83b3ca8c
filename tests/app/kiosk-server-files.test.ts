import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, crossOriginIsolationHeaders } from '../../src/app/security-headers';
import { kioskServerFiles } from '../../tools/kiosk-server-files';

const csp = contentSecurityPolicy({});
const files = kioskServerFiles({ headers: crossOriginIsolationHeaders, contentSecurityPolicy: csp });

describe('kiosk server files', () => {
  it('serve.json sends every isolation header and the CSP on every path, and no-cache for sw.js and kiosk.json', () => {
    const serve = JSON.parse(files['serve.json']!) as { headers: { source: string; headers: { key: string; value: string }[] }[] };
    const everywhere = serve.headers.find((rule) => rule.source === '**')!;
    expect(Object.fromEntries(everywhere.headers.map((header) => [header.key, header.value]))).toEqual({
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': csp,
    });
    expect((JSON.parse(files['serve.json']!) as { rewrites: unknown }).rewrites).toEqual([{ source: '/', destination: '/index.html' }]);
    for (const file of ['sw.js', 'kiosk.json']) {
      expect(serve.headers.find((rule) => rule.source === file)?.headers).toEqual([{ key: 'Cache-Control', value: 'no-cache' }]);
    }
  });

  it('nginx.conf adds each header always, in the server and again where a location adds its own', () => {
    const nginx = files['nginx.conf']!;
    for (const [name, value] of Object.entries({ ...crossOriginIsolationHeaders, 'Content-Security-Policy': csp })) {
      expect(nginx.split(`add_header ${name} "${value}" always;`).length - 1).toBe(2);
    }
    expect(nginx).toContain('try_files $uri $uri/ /index.html;');
    expect(nginx).toContain('location ~ ^/(sw\\.js|kiosk\\.json)$');
  });

  it('the Caddyfile sets each header and serves the folder', () => {
    const caddy = files.Caddyfile!;
    for (const [name, value] of Object.entries({ ...crossOriginIsolationHeaders, 'Content-Security-Policy': csp }))
      expect(caddy).toContain(`${name} "${value}"`);
    expect(caddy).toContain('file_server');
    expect(caddy).toContain('@nocache path /sw.js /kiosk.json');
  });
});
