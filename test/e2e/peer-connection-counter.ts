/**
 * An init script (runs before the page's own script, outside its CSP) that counts the page's
 * `RTCPeerConnection`s in `window.__peerConnections`: 0 after a refused support link means nothing ran.
 */
export const PEER_CONNECTION_COUNTER = `(() => {
  window.__peerConnections = 0;
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = new Proxy(Original, {
    construct(target, args) {
      window.__peerConnections += 1;
      return Reflect.construct(target, args);
    },
  });
})()`;
