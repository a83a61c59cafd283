import type { PortMappingProtocol } from '../../report/port-mapping-schema.js';
import type { MappingBudget } from './budget.js';
import { firstAnswer, type RouterLiveness } from './first-answer.js';
import {
  decodeExternalAddressResponse,
  decodeMapUdpResponse,
  encodeExternalAddressRequest,
  encodeMapUdpRequest,
  type NatPmpMapping,
  natPmpResultText,
} from './nat-pmp-codec.js';
import { unanswered } from './protocol-result.js';
import { openGatewaySocket, PORT_MAPPING_PORT } from './udp-exchange.js';

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
      (ms) => socket.exchange(encodeExternalAddressRequest(), decodeExternalAddressResponse, ms),
      budget,
      live,
    );
    const ext = first.value;
    if (!ext) return { ...result, error: `no answer within ${first.waitedMs} ms` };
    result.answered = true;
    result.rttMs = Math.round(ext.rttMs);
    const errors: string[] = [];
    if (ext.value.resultCode === 0) result.externalAddress = ext.value.externalAddress;
    else errors.push(`external address: result ${natPmpResultText(ext.value.resultCode)}`);
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
