import type { PortMappingProtocol } from '../../report/port-mapping-schema.js';
import type { MappingBudget } from './budget.js';
import { firstAnswer, type RouterLiveness } from './first-answer.js';
import {
  decodeExternalAddressResponse,
  decodeMapUdpResponse,
  encodeExternalAddressRequest,
  encodeMapUdpRequest,
  type NatPmpExternalAddress,
  type NatPmpMapping,
  natPmpResultText,
} from './nat-pmp-codec.js';
import { unanswered } from './protocol-result.js';
import { noAnswer, openGatewaySocket, PORT_MAPPING_PORT } from './udp-exchange.js';

/**
 * The answer to the external address request: the NAT-PMP response, or `pcp-only` for a PCP server's
 * answer (version 2, response bit set — RFC 6887 §9: its UNSUPP_VERSION to our version 0).
 */
const acceptExternalAddress = (datagram: Buffer): NatPmpExternalAddress | 'pcp-only' | null =>
  datagram.length >= 4 && datagram[0] === 2 && ((datagram[1] ?? 0) & 0x80) !== 0
    ? 'pcp-only'
    : decodeExternalAddressResponse(datagram);

/**
 * Accepts the answer to the delete of `internalPort`'s mapping only (RFC 6886 §3.4): an error result, or
 * success with lifetime 0 for that internal port — a late duplicate answer to the create is not a removal.
 */
export const deleteAnswerFor =
  (internalPort: number) =>
  (datagram: Buffer): NatPmpMapping | null => {
    const answer = decodeMapUdpResponse(datagram);
    if (answer === null) return null;
    if (answer.resultCode !== 0) return answer;
    return answer.lifetimeS === 0 && answer.internalPort === internalPort ? answer : null;
  };

/**
 * NAT-PMP against `gateway` (RFC 6886): external address request (opcode 0), then a test UDP mapping of
 * this socket's port with `budget.lifetimeS` (opcode 1), removed at once (lifetime 0, §3.4; a delete is
 * also sent, unanswered, when the create got no answer). A gateway that
 * stays silent to the first request costs `budget.firstMs` (see `firstAnswer` for a router busy with another
 * protocol, `live`); each later request `budget.stepMs`.
 * `port` is 5351 except in tests. Never throws: failures are in the result's `error`.
 */
export async function tryNatPmp(
  gateway: string,
  budget: MappingBudget,
  live: RouterLiveness = { answered: false },
  port = PORT_MAPPING_PORT,
): Promise<PortMappingProtocol> {
  const result = unanswered('nat-pmp', `${gateway}:${port}`);
  const socket = await openGatewaySocket(gateway, port).catch((err: Error) => err);
  if (socket instanceof Error) return { ...result, error: socket.message };
  try {
    const first = await firstAnswer(
      (ms) => socket.exchange(encodeExternalAddressRequest(), acceptExternalAddress, ms),
      budget,
      live,
      () => socket.refused,
    );
    const ext = first.value;
    if (!ext) return { ...result, error: noAnswer(socket.refused, first.waitedMs) };
    result.answered = true;
    result.rttMs = Math.round(ext.rttMs);
    if (ext.value === 'pcp-only')
      return {
        ...result,
        error: 'the gateway speaks PCP only (version 2 answer to a NAT-PMP request, RFC 6887 §9)',
      };
    const errors: string[] = [];
    if (ext.value.resultCode !== 0)
      errors.push(`external address: result ${natPmpResultText(ext.value.resultCode)}`);
    else if (ext.value.externalAddress === null)
      errors.push('external address: answer cut short (no address)');
    else result.externalAddress = ext.value.externalAddress;
    const localPort = socket.local.port;
    const map = await socket.exchange(
      encodeMapUdpRequest(localPort, localPort, budget.lifetimeS),
      decodeMapUdpResponse,
      budget.stepMs,
    );
    const deleteRequest = encodeMapUdpRequest(localPort, 0, 0);
    if (!map) {
      errors.push(`mapping: no answer within ${budget.stepMs} ms`);
      await socket.sendOnce(deleteRequest);
    } else if (map.value.resultCode !== 0)
      errors.push(`mapping: result ${natPmpResultText(map.value.resultCode)}`);
    result.mappingCreated = map !== null && map.value.resultCode === 0 && map.value.lifetimeS > 0;
    if (result.mappingCreated) {
      const del = await socket.exchange(deleteRequest, deleteAnswerFor(localPort), budget.stepMs);
      result.mappingRemoved = del !== null && del.value.resultCode === 0;
      if (!del) errors.push(`removal: no answer within ${budget.stepMs} ms`);
      else if (del.value.resultCode !== 0)
        errors.push(`removal: result ${natPmpResultText(del.value.resultCode)}`);
    }
    return errors.length > 0 ? { ...result, error: errors.join('; ') } : result;
  } finally {
    socket.close();
  }
}
