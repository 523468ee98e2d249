import type http from 'node:http';
import type { Socket } from 'node:net';

/**
 * Graceful, bounded stop of an HTTP server (the SAM2 service and the viewer server both stop this way):
 * idle keep-alive connections close at once, answers still being worked on go out with
 * `Connection: close`, and whatever is still open after `deadlineMs` (a client that sent half a request
 * and stalled, an answer that takes too long) is closed by force. Resolves when every connection is gone.
 */
export class HttpShutdown {
  private readonly inFlight = new Set<http.ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private stopping = false;

  /** Call before the server handles its first request. */
  constructor(private readonly server: http.Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      // A request arriving on a kept-alive connection while stopping is answered, then its connection closed.
      if (this.stopping) res.setHeader('Connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
  }

  /** Stops listening and closes every connection within `deadlineMs`; resolves with how many were forced. */
  close(deadlineMs: number): Promise<{ forced: number }> {
    this.stopping = true;
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    return new Promise((resolve) => {
      let forced = 0;
      const force = setTimeout(() => {
        forced = this.sockets.size;
        this.server.closeAllConnections();
      }, deadlineMs);
      force.unref();
      this.server.close(() => {
        clearTimeout(force);
        resolve({ forced });
      });
      this.server.closeIdleConnections();
    });
  }
}
