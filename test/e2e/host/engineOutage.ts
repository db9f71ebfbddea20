// An engine outage on demand for the extension-host tests: a unix socket in front of the test
// engine that can be taken down and brought back in milliseconds (no second dockerd to start).
import { rmSync } from 'fs';
import * as net from 'net';

export class EngineProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly path: string,
    /** The socket of the engine behind it. */
    private readonly upstream: string,
  ) {}

  get host(): string {
    return `unix://${this.path}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    rmSync(this.path, { force: true });
    const server = net.createServer((client) => {
      const engine = net.connect(this.upstream);
      for (const socket of [client, engine]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones (the events stream too), as a stopped engine does. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.sockets.forEach((socket) => socket.destroy());
    await closed;
    rmSync(this.path, { force: true });
  }
}
