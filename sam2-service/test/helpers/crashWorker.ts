/**
 * Crashes one inference worker thread inside a real service process, from outside, the way a native
 * fault would end it: through the Node inspector (the service must run with NODE_OPTIONS=--inspect=…:0),
 * the NodeWorker domain attaches to the process's worker threads and runs `process.exit(70)` in one of
 * them. No test hook exists in the product for this.
 */
import { WebSocket } from 'undici';

interface InspectorMessage {
  id?: number;
  method?: string;
  params?: { sessionId?: string; workerInfo?: { workerId: string; type: string } };
}

/** The inspector's WebSocket URL, from the "Debugger listening on ws://…" line in the service's log. */
export function inspectorUrl(logs: string[]): string {
  for (const line of logs) {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (match) return match[1];
  }
  throw new Error('the service was not started with --inspect (no "Debugger listening" line)');
}

/**
 * Ends worker thread number `which` (in the inspector's attach order), or every worker thread, of the
 * service; resolves once the exit commands have been delivered.
 */
export async function crashWorkerThread(logs: string[], which: number | 'all' = 0): Promise<void> {
  const socket = new WebSocket(inspectorUrl(logs));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('cannot connect to the inspector')), {
      once: true,
    });
  });
  const sessions: string[] = [];
  const pending = new Set<number>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the inspector did not answer')), 10_000);
      socket.addEventListener('message', (event) => {
        const message = JSON.parse(String(event.data)) as InspectorMessage;
        if (message.method === 'NodeWorker.attachedToWorker' && message.params?.sessionId) {
          sessions.push(message.params.sessionId);
        } else if (message.id === 1) {
          // NodeWorker.enable answers after announcing every worker that exists now.
          const targets = which === 'all' ? sessions : sessions.slice(which, which + 1);
          if (targets.length === 0) {
            clearTimeout(timer);
            reject(new Error(`no worker thread ${which} (${sessions.length} attached)`));
            return;
          }
          targets.forEach((sessionId, i) => {
            const evaluate = {
              id: 1,
              method: 'Runtime.evaluate',
              params: { expression: 'process.exit(70)' },
            };
            pending.add(10 + i);
            socket.send(
              JSON.stringify({
                id: 10 + i,
                method: 'NodeWorker.sendMessageToWorker',
                params: { sessionId, message: JSON.stringify(evaluate) },
              }),
            );
          });
        } else if (message.id !== undefined && pending.delete(message.id) && pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.send(
        JSON.stringify({ id: 1, method: 'NodeWorker.enable', params: { waitForDebuggerOnStart: false } }),
      );
    });
  } finally {
    socket.close();
  }
}
