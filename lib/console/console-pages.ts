import * as path from 'node:path';

/** A page the local server serves as it is. */
export interface StaticPage {
  contentType: string;
  body: string | Buffer;
}

const entry = path.join(__dirname, 'page', 'console.tsx');

/** Where Seam's components take a lock's picture from when its device has no image_url (Seam's servers). */
const seamFallbackImage = 'https://connect.getseam.com/assets/images/devices/unknown-lock.png';
/** The console's own neutral lock picture, served with the page, so no image is fetched from Seam. */
const lockImagePath = '/console/lock.svg';
const lockImage = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="Lock">
<rect width="64" height="64" rx="12" fill="#e8ecf0"/>
<path d="M22 28v-6a10 10 0 0 1 20 0v6" fill="none" stroke="#5b6b7a" stroke-width="4"/>
<rect x="17" y="28" width="30" height="22" rx="4" fill="#5b6b7a"/>
<circle cx="32" cy="38" r="3" fill="#e8ecf0"/><rect x="31" y="39" width="2" height="6" fill="#e8ecf0"/>
</svg>
`;

/**
 * Points Seam's DeviceImage at the console's own picture: the components fall back to an image
 * on Seam's servers, which a private deployment cannot reach (every picture broken).
 */
const localLockImage = {
  name: 'latchkey-local-lock-image',
  setup(build: import('esbuild').PluginBuild) {
    build.onLoad({ filter: /@seamapi[\\/]react[\\/].*DeviceImage\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(seamFallbackImage)) throw new Error(`Seam's DeviceImage no longer names ${seamFallbackImage}`);
      return { contents: source.replace(seamFallbackImage, lockImagePath), loader: 'js' };
    });
  },
};

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Latchkey console</title>
<link rel="stylesheet" href="/console/app.css">
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f6f8; }
  .latchkey-console { max-width: 960px; margin: 0 auto; padding: 16px; }
  .latchkey-console header { display: flex; justify-content: space-between; align-items: center; margin-bottom: 12px; }
  .latchkey-sign-in { max-width: 480px; margin: 48px auto; display: grid; gap: 12px; }
  .latchkey-sign-in input { width: 100%; padding: 6px; font: inherit; }
</style>
<script>
  // Seam's client reads its endpoint from here; the components' endpoint prop does not reach it.
  globalThis.process = { env: { SEAM_ENDPOINT: window.location.origin } };
</script>
</head>
<body>
<div id="root"></div>
<script type="module" src="/console/app.js"></script>
</body>
</html>
`;

/**
 * The console's files, built with esbuild on first request and kept: the page, its bundle
 * (React and Seam's components) and Seam's stylesheet, which the page imports. One version of Seam's client serves
 * the whole page: @seamapi/react's own 1.x (the `seam-http-v1` alias), which the
 * components were built against.
 */
export function consolePages(): (pathname: string) => Promise<StaticPage | undefined> {
  let built: Promise<Map<string, StaticPage>> | undefined;
  const build = async () => {
    const { build: esbuild } = await import('esbuild');
    const result = await esbuild({
      entryPoints: { app: entry },
      outdir: path.join(__dirname, 'out'),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      jsx: 'automatic',
      alias: { '@seamapi/http': 'seam-http-v1' },
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
      plugins: [localLockImage],
    });
    const output = (extension: string) => {
      const file = result.outputFiles.find((f) => f.path.endsWith(extension));
      if (!file) throw new Error(`esbuild produced no console ${extension}`);
      return Buffer.from(file.contents);
    };
    if (output('.js').includes(seamFallbackImage)) throw new Error('The console bundle still points lock images at Seam');
    return new Map<string, StaticPage>([
      ['/console', { contentType: 'text/html; charset=utf-8', body: html }],
      ['/console/', { contentType: 'text/html; charset=utf-8', body: html }],
      ['/console/app.js', { contentType: 'text/javascript; charset=utf-8', body: output('.js') }],
      ['/console/app.css', { contentType: 'text/css; charset=utf-8', body: output('.css') }],
      [lockImagePath, { contentType: 'image/svg+xml', body: lockImage }],
    ]);
  };
  return async (pathname) => {
    if (pathname !== '/console' && !pathname.startsWith('/console/')) return undefined;
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return (await built).get(pathname);
  };
}
