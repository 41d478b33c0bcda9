import type { Server } from 'node:http';
import type { AppDeps } from '../../lib/deps';
import { type HttpFunction, createLocalServer, listen } from '../../lib/local/server';
import { notFoundFunction, routes } from '../../lib/http/routes';

export interface TestHttpServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * The real local HTTP server in front of every route's real handler, built on `deps` (a
 * memory app with a manual clock, or DynamoDB stores): what `npm start` serves, without the
 * poller or the worker.
 */
export async function startHttpServer(deps: AppDeps): Promise<TestHttpServer> {
  const byPath = new Map<string, HttpFunction>();
  for (const route of routes) {
    const module: { makeHandler: (deps: AppDeps) => HttpFunction } = await import(`../../functions/${route.fn}`);
    byPath.set(route.path, module.makeHandler(deps));
  }
  const notFound: HttpFunction = (await import(`../../functions/${notFoundFunction}`)).handler;
  const server = createLocalServer({ byPath, notFound });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
