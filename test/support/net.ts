// Loopback probes for the servers tests start (code-server, a registry, an sshd): a free port,
// an HTTP 200, an open TCP port.
import { get } from 'node:http';
import { connect, createServer } from 'node:net';

/** A port free on 127.0.0.1 just now (another process may still take it: callers retry on EADDRINUSE). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when GET http://127.0.0.1:port/path answers 200 within a second. */
export function answersHttp(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('error', () => resolve(false));
    request.once('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}

/** True when something accepts a TCP connection on address:port within half a second. */
export function acceptsTcp(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 500 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}
