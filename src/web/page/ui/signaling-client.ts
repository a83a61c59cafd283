import { type ClientMessage, type ServerMessage, serverMessageSchema } from '../../signaling-schema.js';
import { signalingCloseReason } from '../signaling-words.js';

/**
 * The page's end of the signaling WebSocket (signaling-schema.ts): JSON text frames out, server messages
 * validated before use, the close code turned into plain words.
 */

/** How long {@link SignalingClient.connect} waits for the socket to open, in ms. */
const CONNECT_TIMEOUT_MS = 5000;

/** What the client reports. Handlers run from socket events; they should not throw. */
export interface SignalingHandlers {
  /** A valid server message (anything that does not parse is dropped). */
  onMessage(message: ServerMessage): void;
  /** The server closed the socket, or it broke; never called after {@link SignalingClient.close}. */
  onClose(reason: string): void;
}

/** An open signaling socket. */
export class SignalingClient {
  #closedByUs = false;

  private constructor(
    private readonly socket: WebSocket,
    handlers: SignalingHandlers,
  ) {
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        return;
      }
      const parsed = serverMessageSchema.safeParse(json);
      if (parsed.success) handlers.onMessage(parsed.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (!this.#closedByUs) handlers.onClose(signalingCloseReason(event.code));
    };
  }

  /**
   * Opens `url` and resolves once it is open.
   * @throws Error (plain words) when it does not open within {@link CONNECT_TIMEOUT_MS} or fails.
   */
  static connect(url: string, handlers: SignalingHandlers): Promise<SignalingClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const fail = (why: string): void => {
        clearTimeout(timer);
        socket.onopen = null;
        socket.onerror = null;
        socket.close();
        reject(new Error(`could not reach the signaling server at ${url}: ${why}`));
      };
      const timer = setTimeout(
        () => fail(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`),
        CONNECT_TIMEOUT_MS,
      );
      socket.onerror = () =>
        fail('the connection was refused or cut (run the signaling check above for details)');
      socket.onopen = () => {
        clearTimeout(timer);
        socket.onopen = null;
        socket.onerror = null;
        resolve(new SignalingClient(socket, handlers));
      };
    });
  }

  /** Sends one message; dropped when the socket is no longer open. */
  send(message: ClientMessage): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Closes the socket (1000); no `onClose` follows. */
  close(): void {
    this.#closedByUs = true;
    this.socket.close(1000);
  }
}
