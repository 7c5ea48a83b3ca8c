/**
 * The server configuration files `npm run kiosk` writes next to the built app, so that nginx, Caddy or `npx serve`
 * send what PathoLens needs: cross-origin isolation (COOP/COEP/CORP: SharedArrayBuffer for multi-threaded WASM and
 * for stopping an answer at once), the strict Content-Security-Policy, application/wasm, no caching of the service
 * worker and kiosk.json, and range requests (every one of these servers answers them for static files).
 */
export interface KioskServerFileOptions {
  headers: Readonly<Record<string, string>>;
  contentSecurityPolicy: string;
  /** Port in the examples. */
  port?: number;
}

/** Paths that must be revalidated on every load: the service worker (so a new build is found) and the kiosk settings. */
const NO_CACHE_FILES = ['sw.js', 'kiosk.json'];

export function kioskServerFiles({ headers, contentSecurityPolicy, port = 8080 }: KioskServerFileOptions): Record<string, string> {
  const all: Record<string, string> = { ...headers, 'Content-Security-Policy': contentSecurityPolicy };

  const serveJson = {
    // `npx serve` reads this file from the folder it serves.
    headers: [
      { source: '**', headers: Object.entries(all).map(([key, value]) => ({ key, value })) },
      ...NO_CACHE_FILES.map((file) => ({ source: file, headers: [{ key: 'Cache-Control', value: 'no-cache' }] })),
    ],
    // The app is one page: / is index.html (serve finds it only through this rewrite when cleanUrls is off).
    rewrites: [{ source: '/', destination: '/index.html' }],
    cleanUrls: false,
    directoryListing: false,
  };

  const nginxHeaders = Object.entries(all)
    .map(([key, value]) => `    add_header ${key} "${value}" always;`)
    .join('\n');
  const nginx = `# PathoLens kiosk for nginx: put this server block in nginx.conf (http { ... }) or conf.d/, and set root to this folder.
server {
    listen ${port};
    root /srv/patholens-kiosk;   # this folder
    index index.html;
    # .wasm must be served as application/wasm: nginx's mime.types has it since 1.21; add it there on older ones.
${nginxHeaders}

    location / {
        try_files $uri $uri/ /index.html;
    }
    # add_header in a location replaces the server's: repeat them with the no-cache rule.
    location ~ ^/(${NO_CACHE_FILES.map((file) => file.replace('.', '\\.')).join('|')})$ {
${nginxHeaders.replaceAll('    add_header', '        add_header')}
        add_header Cache-Control "no-cache" always;
    }
}
`;

  const caddyHeaders = Object.entries(all)
    .map(([key, value]) => `\t\t${key} "${value}"`)
    .join('\n');
  const caddy = `# PathoLens kiosk for Caddy: run \`caddy run\` in this folder (or adapt the root).
:${port} {
\troot * .
\tencode gzip
\theader {
${caddyHeaders}
\t}
\t@nocache path ${NO_CACHE_FILES.map((file) => `/${file}`).join(' ')}
\theader @nocache Cache-Control "no-cache"
\ttry_files {path} /index.html
\tfile_server
}
`;
  return { 'serve.json': `${JSON.stringify(serveJson, null, 2)}\n`, 'nginx.conf': nginx, Caddyfile: caddy };
}
