import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Listener } from './http';

export interface LocalServer {
  url: string;
  port: number;
  /** Sets what the server answers; servers start before their handlers exist, so URLs are known early. */
  serve(listener: Listener): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1; port 0 picks a free one. */
export async function startServer(port: number, name: string): Promise<LocalServer> {
  let current: Listener = (_req, res) => res.writeHead(503).end(`${name} is starting`);
  const server: Server = createServer((req, res) => current(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`${name}: port ${port} is in use; set PORT to another base port`) : error),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    serve: (listener) => (current = listener),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
