import { randomBytes } from 'node:crypto';
import type { PortMappingProtocol } from '../../report/port-mapping-schema.js';
import type { MappingBudget } from './budget.js';
import { firstAnswer, type RouterLiveness } from './first-answer.js';
import {
  decodePcpResponse,
  encodeMapRequest,
  IPPROTO_UDP,
  isNatPmpUnsupportedVersion,
  PCP_OP_MAP,
  type PcpResponse,
  pcpResultText,
} from './pcp-codec.js';
import { unanswered } from './protocol-result.js';
import { noAnswer, openGatewaySocket, PORT_MAPPING_PORT } from './udp-exchange.js';

/** What a datagram from the gateway means to the PCP client: a MAP response with our nonce, or NAT-PMP only. */
type PcpAnswer = { kind: 'pcp'; response: PcpResponse } | { kind: 'nat-pmp-only' };

const acceptFor =
  (nonce: Buffer) =>
  (datagram: Buffer): PcpAnswer | null => {
    if (isNatPmpUnsupportedVersion(datagram)) return { kind: 'nat-pmp-only' };
    const response = decodePcpResponse(datagram);
    if (!response || response.opcode !== PCP_OP_MAP) return null;
    if (response.map && !response.map.nonce.equals(nonce)) return null;
    return { kind: 'pcp', response };
  };

/**
 * Accepts the answer to the delete (RFC 6887 §15) only: a MAP response with our nonce, protocol 17 and
 * `internalPort`, and either an error result or success with lifetime 0 — a late duplicate answer to the
 * create is not a removal.
 */
export const deleteAnswerFor =
  (nonce: Buffer, internalPort: number) =>
  (datagram: Buffer): PcpResponse | null => {
    const response = decodePcpResponse(datagram);
    const map = response?.map;
    if (!response || response.opcode !== PCP_OP_MAP || !map) return null;
    if (!map.nonce.equals(nonce) || map.protocol !== IPPROTO_UDP || map.internalPort !== internalPort)
      return null;
    return response.resultCode !== 0 || response.lifetimeS === 0 ? response : null;
  };

/**
 * PCP against `gateway` (RFC 6887): a MAP request for UDP on this socket's port with a fresh 12-byte nonce
 * and `budget.lifetimeS` (§11), the external address taken from the MAP response (IPv4-mapped IPv6), then
 * the same MAP with lifetime 0 to delete it (§15; also sent, unanswered, when the create got no answer). A NAT-PMP-only gateway's version-0 UNSUPP_VERSION
 * answer (§9) counts as answered, with the error saying so (the NAT-PMP result carries that gateway's facts).
 * `port` is 5351 except in tests. Never throws: failures are in the result's `error`.
 */
export async function tryPcp(
  gateway: string,
  budget: MappingBudget,
  live: RouterLiveness = { answered: false },
  port = PORT_MAPPING_PORT,
): Promise<PortMappingProtocol> {
  const result = unanswered('pcp', `${gateway}:${port}`);
  const socket = await openGatewaySocket(gateway, port).catch((err: Error) => err);
  if (socket instanceof Error) return { ...result, error: socket.message };
  try {
    const nonce = randomBytes(12);
    const localPort = socket.local.port;
    const request = (lifetimeS: number) =>
      encodeMapRequest({
        nonce,
        clientIp: socket.local.address,
        internalPort: localPort,
        externalPort: localPort,
        lifetimeS,
      });
    const first = await firstAnswer(
      (ms) => socket.exchange(request(budget.lifetimeS), acceptFor(nonce), ms),
      budget,
      live,
      () => socket.refused,
    );
    const map = first.value;
    if (!map) {
      await socket.sendOnce(request(0));
      return { ...result, error: noAnswer(socket.refused, first.waitedMs) };
    }
    result.answered = true;
    result.rttMs = Math.round(map.rttMs);
    if (map.value.kind === 'nat-pmp-only')
      return {
        ...result,
        error: 'the gateway speaks NAT-PMP only (version 0 UNSUPP_VERSION answer, RFC 6887 §9)',
      };
    const created = map.value.response;
    result.mappingCreated = created.resultCode === 0 && created.lifetimeS > 0 && created.map !== null;
    if (!result.mappingCreated)
      return { ...result, error: `mapping: result ${pcpResultText(created.resultCode)}` };
    result.externalAddress = created.map?.externalAddress ?? null;
    const del = await socket.exchange(request(0), deleteAnswerFor(nonce, localPort), budget.stepMs);
    result.mappingRemoved = del !== null && del.value.resultCode === 0;
    if (!del) return { ...result, error: `removal: no answer within ${budget.stepMs} ms` };
    if (del.value.resultCode !== 0)
      return { ...result, error: `removal: result ${pcpResultText(del.value.resultCode)}` };
    return result;
  } finally {
    socket.close();
  }
}
