import type {
  RequestObservation,
  TurnObservation,
  TurnTargetObservations,
} from '../../src/client/turn-check/observations.js';
import type { TransportAddress } from '../../src/wire/address.js';

/** A transport address with its family read from the literal (`:` → IPv6). */
export const addr = (address: string, port: number): TransportAddress => ({
  address,
  port,
  family: address.includes(':') ? 'IPv6' : 'IPv4',
});

/**
 * A recorded request step of turn-check (`RequestObservation`): a successful, authenticated request in
 * 1.234 ms, one request sent, unless `over` says otherwise.
 */
export function req(
  step: RequestObservation['step'],
  over: Partial<RequestObservation> = {},
): RequestObservation {
  return {
    step,
    durationMs: 1.234,
    sent: 1,
    errorCode: null,
    errorReason: null,
    success: true,
    failure: null,
    authenticated: true,
    challenges: [],
    integrity: 'valid',
    relayed: null,
    mapped: null,
    lifetimeS: null,
    ...over,
  };
}

/** A recorded check of `turn:turn.example.org:3478?transport=udp` (user alice) made of `observations`. */
export function target(
  observations: TurnObservation[],
  over: Partial<TurnTargetObservations> = {},
): TurnTargetObservations {
  return {
    url: 'turn:turn.example.org:3478?transport=udp',
    transport: 'udp',
    host: 'turn.example.org',
    credentials: 'long-term',
    username: 'alice',
    insecure: false,
    customCa: false,
    realm: 'example.org',
    observations,
    durationMs: 1100.456,
    ...over,
  };
}
