/**
 * The four sockets of an RFC 5780 server (RFC 5780 §4.1, §6): two IP addresses A1, A2 × two ports P1, P2.
 * `A1:P1` is the primary address clients are given; the others answer CHANGE-REQUEST.
 */
export type SocketRole = 'A1:P1' | 'A1:P2' | 'A2:P1' | 'A2:P2';

/** Every role, primary first. */
export const SOCKET_ROLES: readonly SocketRole[] = ['A1:P1', 'A1:P2', 'A2:P1', 'A2:P2'];

/** True when the role is on the alternate IP address (A2). */
export function usesAlternateIp(role: SocketRole): boolean {
  return role.startsWith('A2');
}

/** True when the role is on the alternate port (P2). */
export function usesAlternatePort(role: SocketRole): boolean {
  return role.endsWith('P2');
}

/** The role with the given IP and port halves. */
export function socketRole(alternateIp: boolean, alternatePort: boolean): SocketRole {
  return `${alternateIp ? 'A2' : 'A1'}:${alternatePort ? 'P2' : 'P1'}`;
}

/**
 * The role a response is sent from when a request arrived on `received` with the given CHANGE-REQUEST
 * flags (RFC 5780 §6.1, table 1): change IP swaps A1/A2, change port swaps P1/P2.
 */
export function changedRole(received: SocketRole, changeIp: boolean, changePort: boolean): SocketRole {
  return socketRole(usesAlternateIp(received) !== changeIp, usesAlternatePort(received) !== changePort);
}
