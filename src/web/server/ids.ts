import { randomBytes } from 'node:crypto';

/**
 * A room id for the signaling hub: 12 random bytes (96 bits) from the CSPRNG as 16 base64url characters
 * (RFC 4648 §5), matching `roomIdSchema`. Guessing one is hopeless, so a room id is its own invitation.
 */
export function newRoomId(): string {
  return randomBytes(12).toString('base64url');
}

/** A peer id: 6 random bytes as 8 base64url characters, matching `peerIdSchema`. Unique per hub. */
export function newPeerId(): string {
  return randomBytes(6).toString('base64url');
}
