/**
 * SOFTWARE in unauthenticated error replies (issue 12, item 10): anyone, from any (spoofed) source, gets
 * a 401 for a 20-byte Allocate header, a 438 for a request signed with a nonce this server never sent,
 * and a 400 for a method the server does not know; none of them may carry SOFTWARE (coturn's
 * `--no-software-attribute`), which only raised the reflection factor. The row gives the 401's
 * amplification factor (reply bytes / request bytes) over UDP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOFTWARE } from '../../src/server/stun/options.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { findAttribute, getErrorCode, type StunMessage } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { RawTurnClient, UDP_TRANSPORT } from '../support/turn-raw.js';
import { HARDENING_USER, type ServerProcess, startServerProcess } from './server-process.js';
import { record } from './tally.js';

/** A method number RFC 8489 and RFC 8656 leave unassigned: the dispatcher answers 400. */
const UNKNOWN_METHOD = 0x0fe;

describe('SOFTWARE in unauthenticated error replies', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('leaves SOFTWARE out of 401, 438 and 400, and says what a 401 amplifies', async ({ task }) => {
    const client = await RawTurnClient.udp(server.udp);
    try {
      const replies: { name: string; message: StunMessage; code: number }[] = [];
      const header = newTransactionId();
      const request = buildMessage({
        method: StunMethod.allocate,
        cls: StunClass.request,
        transactionId: header,
      });
      const unauthorized = await client.exchange(request, header);
      replies.push({ name: '401', message: unauthorized, code: 401 });
      const replyBytes = unauthorized.raw.length;
      client.learn(unauthorized);
      client.useNonce('not-a-nonce-of-this-server');
      const forged = newTransactionId();
      replies.push({
        name: '438',
        message: await client.exchange(
          client.signedBytes(StunMethod.allocate, [UDP_TRANSPORT], HARDENING_USER, forged),
          forged,
        ),
        code: 438,
      });
      const unknownId = newTransactionId();
      replies.push({
        name: '400',
        message: await client.exchange(
          buildMessage({
            method: UNKNOWN_METHOD,
            cls: StunClass.request,
            transactionId: unknownId,
            fingerprint: true,
          }),
          unknownId,
        ),
        code: 400,
      });
      const wrong = replies.filter(
        (r) =>
          getErrorCode(r.message)?.code !== r.code || findAttribute(r.message, Attr.SOFTWARE) !== undefined,
      );
      const factor = replyBytes / request.length;
      // What SOFTWARE "ice-doctor" (the default) adds: a 4-byte attribute header and 10 bytes padded to 12.
      const withSoftware = replyBytes + 4 + Math.ceil(Buffer.byteLength(DEFAULT_SOFTWARE) / 4) * 4;
      record(task, {
        area: 'amplification',
        check: 'SOFTWARE in unauthenticated 401/438/400',
        tried: replies.length,
        failures: wrong.length,
        detail:
          `401: ${replyBytes} bytes for a ${request.length}-byte Allocate = ${factor.toFixed(2)}x ` +
          `(${(withSoftware / request.length).toFixed(2)}x with SOFTWARE); ` +
          `with SOFTWARE: ${wrong.map((r) => r.name).join(', ') || 'none'}`,
      });
      expect(wrong.map((r) => r.name)).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
