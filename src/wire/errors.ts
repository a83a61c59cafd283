/**
 * The one error a STUN decoder may throw: the input is not a well-formed STUN message or ChannelData
 * frame. `code` names the rule that failed (RFC 8489 §5, §14; RFC 8656 §12.4).
 */
export class StunDecodeError extends Error {
  override readonly name = 'StunDecodeError';
  /**
   * @param code machine-readable rule, e.g. `'short-header'`, `'bad-length'`, `'attribute-overrun'`.
   * @param message one-line human description.
   */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
