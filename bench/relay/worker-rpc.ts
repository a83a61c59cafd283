/**
 * Request/response over a worker thread's message port, for the relay bench's load generator and echo peer:
 * the main thread sends a command object and waits for its one reply, with a deadline.
 */
import { parentPort, Worker } from 'node:worker_threads';

/** A reply on the port: the value of command `id`, or the message of the error it threw. */
type RpcReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The main thread's end of a bench worker. */
export class WorkerRpc {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: RpcReply) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: RpcReply) => {
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
    worker.on('error', (err) => {
      for (const [id, w] of this.waiting) w({ id, ok: false, error: `worker died: ${err.message}` });
      this.waiting.clear();
    });
  }

  /** Starts the TypeScript worker module `moduleUrl` (through worker-entry.mjs, which registers tsx). */
  static start(moduleUrl: URL): WorkerRpc {
    const entry = new URL('./worker-entry.mjs', import.meta.url);
    return new WorkerRpc(new Worker(entry, { workerData: { module: moduleUrl.href } }));
  }

  /**
   * Sends `command` and resolves with the worker's answer.
   * @param timeoutMs deadline for the answer, in ms.
   * @throws Error when the worker answers with an error, dies, or misses the deadline.
   */
  call(command: object, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`worker did not answer ${JSON.stringify(command).slice(0, 80)} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r.value);
        else reject(new Error(r.error));
      });
      this.worker.postMessage({ id, command });
    });
  }

  /** Stops the worker thread. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * The worker's end: answers each command with `handle`'s result (or its error's message). Call once, at the
 * top level of a worker module.
 */
export function serveRpc(handle: (command: unknown) => Promise<unknown>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRpc must run in a worker thread');
  port.on('message', ({ id, command }: { id: number; command: unknown }) => {
    handle(command).then(
      (value) => port.postMessage({ id, ok: true, value } satisfies RpcReply),
      (err: unknown) =>
        port.postMessage({
          id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        } satisfies RpcReply),
    );
  });
}
