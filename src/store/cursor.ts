import { UserError } from '../errors.js';

/** A list cursor that this store did not write (tampered, truncated, from another list); HTTP 400. */
export class InvalidCursorError extends UserError {
  override name = 'InvalidCursorError';
  constructor() {
    super('usage', 'cursor: not a cursor of this list (start again from the first page)', 2);
  }
}

/** The position after which the next page starts: the last row's receive time (epoch ms) and id. */
export interface ListPosition {
  readonly receivedAtMs: number;
  readonly id: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The opaque cursor of `position`: base64url of `<receivedAtMs>.<id>`. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(`${position.receivedAtMs}.${position.id}`).toString('base64url');
}

/** The position inside `cursor`; throws {@link InvalidCursorError} on anything {@link encodeCursor} did not make. */
export function decodeCursor(cursor: string): ListPosition {
  const text = Buffer.from(cursor, 'base64url').toString();
  const dot = text.indexOf('.');
  const ms = text.slice(0, dot);
  const id = text.slice(dot + 1);
  if (dot < 1 || !/^\d{1,16}$/.test(ms) || !ID.test(id)) throw new InvalidCursorError();
  return { receivedAtMs: Number(ms), id };
}
