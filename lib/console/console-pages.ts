import * as path from 'node:path';

/** A page the local server serves as it is. */
export interface StaticPage {
  contentType: string;
  body: string | Buffer;
}

const entry = path.join(__dirname, 'page', 'console.tsx');

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
    });
    const output = (extension: string) => {
      const file = result.outputFiles.find((f) => f.path.endsWith(extension));
      if (!file) throw new Error(`esbuild produced no console ${extension}`);
      return Buffer.from(file.contents);
    };
    return new Map<string, StaticPage>([
      ['/console', { contentType: 'text/html; charset=utf-8', body: html }],
      ['/console/', { contentType: 'text/html; charset=utf-8', body: html }],
      ['/console/app.js', { contentType: 'text/javascript; charset=utf-8', body: output('.js') }],
      ['/console/app.css', { contentType: 'text/css; charset=utf-8', body: output('.css') }],
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
