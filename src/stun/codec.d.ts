/**
 * The subset of `@msimerson/stun` (CommonJS, untyped) that `src/stun/` uses. Only this folder imports the
 * codec; the rest of ice-doctor sees the typed face in `message.ts`.
 */
declare module '@msimerson/stun' {
  /** One attribute of a message built or parsed by the codec. */
  interface CodecAttribute {
    readonly type: number;
    readonly value: unknown;
  }
  /** A message being built (`createMessage`). */
  interface CodecRequest {
    addAttribute(type: number, ...values: unknown[]): CodecAttribute | undefined;
    getAttribute(type: number): CodecAttribute | undefined;
    toBuffer(): Buffer;
  }
  /** A decoded message; iterating it yields its parsed attributes in wire order (`value` is the parsed value). */
  interface CodecResponse {
    readonly type: number;
    readonly transactionId: Buffer;
    readonly count: number;
    [Symbol.iterator](): Iterator<CodecAttribute>;
  }
  interface Codec {
    createMessage(type: number, transactionId?: Buffer): CodecRequest;
    decode(buf: Buffer): CodecResponse;
  }
  const codec: Codec;
  export default codec;
}
