import { type RunningStunServer, startStunServer } from '../src/server/stun/server.js';
import { iceUrlText } from '../src/shared/ice-url.js';
import { type MisbehavingServer, startLiarServer, startSilentServer } from './misbehaving-stun.js';

/** A good RFC 5780 server (the bundled one), a dead one and a liar, as a public server list would mix them. */
export interface ServerMix {
  good: RunningStunServer;
  /** `stun:` URL of the good server's primary address. */
  goodUrl: string;
  dead: MisbehavingServer;
  liar: MisbehavingServer;
  /** Closes all three. */
  close(): Promise<void>;
}

/**
 * Starts the bundled RFC 5780 server on `good` (two IPs, free ports), a silent server on `dead` and a liar
 * (OTHER-ADDRESS with its own IP) on `liar` (see misbehaving-stun.ts). Loopback addresses of 127.0.0.0/8
 * or lab addresses.
 */
export async function startServerMix(addresses: {
  good: [string, string];
  dead: string;
  liar: string;
}): Promise<ServerMix> {
  const good = await startStunServer({ addresses: [...addresses.good], port: 0 });
  const dead = await startSilentServer(addresses.dead);
  const liar = await startLiarServer(addresses.liar);
  return {
    good,
    goodUrl: iceUrlText('stun', good.primary.address, good.primary.port),
    dead,
    liar,
    close: async () => {
      await Promise.all([good.close(), dead.close(), liar.close()]);
    },
  };
}
