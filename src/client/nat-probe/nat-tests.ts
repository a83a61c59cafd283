import type { TransportAddress } from '../../wire/address.js';
import { ChangeRequest } from '../../wire/attributes/change-request.js';
import type { RttEstimator } from '../transport/rtt.js';
import { nextDeadlineOffsetMs, PROBE_POLICY } from '../transport/transaction.js';
import type { StunUdpClient } from '../transport/udp-client.js';
import type { BindingObservation, ChangeRequestControl, HairpinObservation } from './observations.js';
import { bindingRequest, type SentTest, toObservation } from './requests.js';

/** A UDP server under test: its URL and resolved address. */
export interface UdpTarget {
  url: string;
  address: TransportAddress;
}

/** Sends one Binding request on `client` and records the observation. */
export async function bindingTest(
  client: StunUdpClient,
  name: string,
  server: UdpTarget,
  to: TransportAddress,
  change: BindingObservation['change'] = null,
): Promise<BindingObservation> {
  const req = bindingRequest(change ? [ChangeRequest.encode(change)] : []);
  const sent: SentTest = {
    name,
    server: server.url,
    transport: 'udp',
    target: to,
    change,
    localPort: client.localPort,
  };
  return toObservation(sent, await client.transact(req.bytes, req.transactionId, to));
}

/** The RFC 5780 server's alternate addresses, from OTHER-ADDRESS: A2:P1, A2:P2 and A1:P2. */
export function alternates(primary: TransportAddress, other: TransportAddress) {
  return {
    otherIpPrimaryPort: { ...other, port: primary.port },
    otherIpOtherPort: other,
    primaryIpOtherPort: { ...primary, port: other.port },
  };
}

/**
 * Mapping tests II and III (RFC 5780 §4.3) on the socket that ran test I: Binding to A2:P1 and A2:P2,
 * in parallel (different destinations do not disturb each other's mappings).
 */
export async function mappingTestsIIandIII(
  client: StunUdpClient,
  server: UdpTarget,
  other: TransportAddress,
): Promise<{ II: BindingObservation; III: BindingObservation }> {
  const alt = alternates(server.address, other);
  const [II, III] = await Promise.all([
    bindingTest(client, 'mapping-II', server, alt.otherIpPrimaryPort),
    bindingTest(client, 'mapping-III', server, alt.otherIpOtherPort),
  ]);
  return { II, III };
}

/**
 * Filtering tests I, II, III (RFC 5780 §4.4) on a fresh socket, all sent at once: every request goes to
 * A1:P1, so running them together creates no state the sequential order would not. II asks the server
 * to answer from A2:P2 (change IP and port), III from A1:P2 (change port). Expected sources are filled
 * in from OTHER-ADDRESS once known (`withExpectedSources`).
 */
export async function filteringTests(client: StunUdpClient, server: UdpTarget) {
  const [I, II, III] = await Promise.all([
    bindingTest(client, 'filtering-I', server, server.address),
    bindingTest(client, 'filtering-II', server, server.address, { ip: true, port: true }),
    bindingTest(client, 'filtering-III', server, server.address, { ip: false, port: true }),
  ]);
  return { I, II, III };
}

/** Sets where filtering tests II and III must be answered from, given the server's OTHER-ADDRESS. */
export function withExpectedSources(
  f: { I: BindingObservation; II: BindingObservation; III: BindingObservation },
  other: TransportAddress,
) {
  const alt = alternates(f.I.target, other);
  return {
    I: f.I,
    II: { ...f.II, expectedSource: alt.otherIpOtherPort },
    III: { ...f.III, expectedSource: alt.primaryIpOtherPort },
  };
}

/**
 * The CHANGE-REQUEST control ({@link ChangeRequestControl}) on `client`, a fresh socket: plain Bindings to
 * A1:P1, A2:P2 and A1:P2 in parallel, and once they are over (each pinhole then opened or given up on),
 * filtering tests II's and III's CHANGE-REQUESTs to A1:P1, in parallel. About two RTTs more than the
 * filtering tests, which it runs beside.
 */
export async function changeRequestControl(
  client: StunUdpClient,
  server: UdpTarget,
  other: TransportAddress,
): Promise<ChangeRequestControl> {
  const alt = alternates(server.address, other);
  const [I, openII, openIII] = await Promise.all([
    bindingTest(client, 'control-I', server, server.address),
    bindingTest(client, 'control-II-open', server, alt.otherIpOtherPort),
    bindingTest(client, 'control-III-open', server, alt.primaryIpOtherPort),
  ]);
  const [II, III] = await Promise.all([
    bindingTest(client, 'control-II', server, server.address, { ip: true, port: true }),
    bindingTest(client, 'control-III', server, server.address, { ip: false, port: true }),
  ]);
  return {
    I,
    openII,
    openIII,
    II: { ...II, expectedSource: alt.otherIpOtherPort },
    III: { ...III, expectedSource: alt.primaryIpOtherPort },
  };
}

/**
 * Hairpinning (RFC 5780 §4.5): learn the mapped address of socket `a`, send a Binding request to it from
 * socket `b`, and see whether it arrives at `a`. Waits the same silence budget as any transaction.
 */
export async function hairpinTest(
  a: StunUdpClient,
  b: StunUdpClient,
  server: UdpTarget,
  rtt: RttEstimator,
): Promise<HairpinObservation | null> {
  const first = await bindingTest(a, 'hairpin-I', server, server.address);
  if (!first.mapped) return null;
  const target = first.mapped;
  const probe = bindingRequest();
  const start = performance.now();
  const received = await new Promise<boolean>((resolve) => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    a.onIncomingRequest((req) => {
      if (req.transactionId.equals(probe.transactionId)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    const tick = (): void => {
      if (sent >= PROBE_POLICY.rc) {
        resolve(false);
        return;
      }
      b.sendRaw(probe.bytes, target);
      sent++;
      timer = setTimeout(
        tick,
        start + nextDeadlineOffsetMs(sent, rtt.rtoMs, PROBE_POLICY) - performance.now(),
      );
    };
    tick();
  });
  return { target, received, waitedMs: performance.now() - start };
}
