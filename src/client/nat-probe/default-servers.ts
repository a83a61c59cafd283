/**
 * The public STUN servers probed when the user names none: the one place this list lives.
 *
 * RFC 5780 candidates come from pradt2/always-online-stun `valid_nat_testing_hosts.txt` (hosts its hourly
 * check found answering with a working OTHER-ADDRESS), read at commit 0002108c564429051b1408c72ee85b8457d68131.
 * They are candidates, not trusted: the probe races them and uses the first that proves RFC 5780 on the
 * wire (OTHER-ADDRESS with another IP, CHANGE-REQUEST answered from the address asked for; RFC 5780 §7.4),
 * and names the others with why they were not used. The plain servers (no RFC 5780) give the mapping
 * comparison across servers and keep a report possible when every candidate is gone. None is a single point
 * of failure. `stun.stunprotocol.org` (stuntman) was retired in 2023 and is not listed.
 *
 * Replace with `--server`, `--servers-file FILE` or `ICE_DOCTOR_STUN_SERVERS` (see `config.ts`).
 */
export const DEFAULT_SERVERS_CHECKED_ON = '2026-12-05';

/** RFC 5780 candidates (`stun:host:port`), in the order they are listed. */
export const DEFAULT_RFC5780_CANDIDATES: readonly string[] = [
  'stun:stun.hot-chilli.net:3478',
  'stun:stun.sonetel.com:3478',
  'stun:stun.voipgate.com:3478',
  'stun:stun.freeswitch.org:3478',
  'stun:stun.siptrunk.com:3478',
];

/** Plain STUN servers (RFC 8489 Binding, no OTHER-ADDRESS), run by large operators. */
export const DEFAULT_PLAIN_SERVERS: readonly string[] = [
  'stun:stun.l.google.com:19302',
  'stun:stun.cloudflare.com:3478',
  'stun:stun1.l.google.com:19302',
];

/** Every default server: the RFC 5780 candidates, then the plain ones. */
export const DEFAULT_PUBLIC_SERVERS: readonly string[] = [
  ...DEFAULT_RFC5780_CANDIDATES,
  ...DEFAULT_PLAIN_SERVERS,
];
