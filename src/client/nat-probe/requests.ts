import type { Transport, TransportAddress } from '../../wire/address.js';
import {
  MappedAddress,
  OtherAddress,
  ResponseOrigin,
  XorMappedAddress,
} from '../../wire/attributes/addresses.js';
import { ErrorCode } from '../../wire/attributes/error-code.js';
import { type AttributeSpec, buildMessage } from '../../wire/build.js';
import { StunClass, StunMethod } from '../../wire/constants.js';
import type { StunMessage } from '../../wire/message.js';
import { newTransactionId } from '../../wire/transaction-id.js';
import type { TransactionResult } from '../transport/transaction.js';
import type { BindingObservation, ChangeRequest } from './observations.js';

/** A Binding request ready to send. */
export interface BindingRequest {
  bytes: Buffer;
  transactionId: Buffer;
}

/**
 * Builds a Binding request (RFC 8489 §7.1) with a fresh transaction ID, the given attributes (e.g.
 * `ChangeRequest.encode`, `ResponsePort.encode` for RFC 5780 §7.2 and §7.5) and FINGERPRINT.
 */
export function bindingRequest(attributes: AttributeSpec[] = []): BindingRequest {
  const transactionId = newTransactionId();
  const bytes = buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId,
    attributes,
    fingerprint: true,
  });
  return { bytes, transactionId };
}

/** The mapped address of a Binding response: XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (RFC 3489 servers). */
export function mappedAddressOf(msg: StunMessage): TransportAddress | null {
  return XorMappedAddress.decode(msg) ?? MappedAddress.decode(msg) ?? null;
}

/** What one test sent, for {@link toObservation}. */
export interface SentTest {
  name: string;
  server: string;
  transport: Transport;
  target: TransportAddress;
  change: ChangeRequest | null;
  localPort: number;
}

/** Turns a transaction's result into the observation the classifier reads. */
export function toObservation(
  sent: SentTest,
  r: Pick<TransactionResult, 'requestsSent' | 'response' | 'source' | 'rttMs' | 'elapsedMs' | 'failure'>,
): BindingObservation {
  const msg = r.response;
  const isError = msg?.cls === StunClass.errorResponse;
  return {
    ...sent,
    expectedSource: null,
    requestsSent: r.requestsSent,
    rttMs: r.rttMs,
    elapsedMs: r.elapsedMs,
    source: r.source,
    mapped: msg && !isError ? mappedAddressOf(msg) : null,
    responseOrigin: msg ? (ResponseOrigin.decode(msg) ?? null) : null,
    otherAddress: msg ? (OtherAddress.decode(msg) ?? null) : null,
    errorCode: isError ? (ErrorCode.decode(msg!)?.code ?? 400) : null,
    failure: r.failure,
  };
}
