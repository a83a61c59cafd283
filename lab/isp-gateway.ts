/**
 * Stand-in ISP home gateway for the lab, run inside the router namespace with
 * `node --import tsx lab/isp-gateway.ts LAN_IP WAN_IFACE`: a NAT-PMP (RFC 6886) and PCP (RFC 6887) server on
 * LAN_IP:5351 that behaves like the ISP boxes behind a carrier-grade NAT — it reports the address its WAN
 * interface really has (read at each request, 100.64.x.x behind the lab's carrier NAT) and never refuses
 * because that address is shared or private (Debian's miniupnpd does refuse: see src/lab/miniupnpd.ts).
 *
 * A mapping is real: an nftables DNAT rule `iifname WAN udp|tcp dport EXT dnat ip to CLIENT:INT` in its own
 * table `ip idl_ispgw`, installed before the success answer and deleted on a lifetime-0 request or when the
 * granted lifetime runs out. A client maps only to itself (the source address of its request). When the WAN
 * interface has no IPv4 address it answers as such routers do: NAT-PMP result 3 (Network Failure), PCP
 * NETWORK_FAILURE, and maps nothing. UPnP IGD is not served.
 *
 * Prints `ready` once listening, then one line per mapping added or removed (`add udp 40000 100.64.0.2:40000`,
 * `del udp 40000`). SIGTERM/SIGINT delete the table and exit.
 */
import { execFile } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import { NAT_PMP_OP, NAT_PMP_VERSION } from '../src/client/port-mapping/nat-pmp-codec.js';
import { PCP_OP_MAP, PCP_VERSION } from '../src/client/port-mapping/pcp-codec.js';
import { PORT_MAPPING_PORT } from '../src/client/port-mapping/udp-exchange.js';
import { ISP_GATEWAY_TABLE } from './isp-gateway-start.js';
import {
  decodeNatPmpMapRequest,
  decodePcpRequest,
  encodeNatPmpExternalAddress,
  encodeNatPmpMapResponse,
  encodeNatPmpUnsupportedOpcode,
  encodePcpResponse,
  PCP_OP_ANNOUNCE,
  type PcpRequest,
} from './isp-gateway-wire.js';

/** Longest lifetime granted, in s (RFC 6886 §3.3 recommends 7200 s requests; the gateway may shorten). */
const MAX_LIFETIME_S = 3600;
/** Lifetime of an error answer in PCP, in s (RFC 6887 §7.2: how long the client should not retry). */
const ERROR_LIFETIME_S = 30;

const PCP = {
  success: 0,
  unsuppVersion: 1,
  notAuthorized: 2,
  unsuppOpcode: 4,
  networkFailure: 7,
  noResources: 8,
  unsuppProtocol: 9,
  addressMismatch: 12,
} as const;
const NATPMP = { success: 0, networkFailure: 3, outOfResources: 4 } as const;

const exec = promisify(execFile);
const started = Date.now();
const epoch = (): number => Math.floor((Date.now() - started) / 1000);

interface Mapping {
  readonly protocol: 6 | 17;
  readonly client: string;
  readonly internalPort: number;
  readonly externalPort: number;
  /** nft rule handle. */
  readonly handle: number;
  /** PCP nonce, null when created by NAT-PMP. */
  readonly nonce: Buffer | null;
  expires: NodeJS.Timeout;
}

const mappings = new Map<string, Mapping>();
const keyOf = (protocol: number, client: string, internalPort: number): string =>
  `${protocol}/${client}/${internalPort}`;
const protoName = (p: number): string => (p === 17 ? 'udp' : 'tcp');

/** The WAN interface's first IPv4 address, or null without one. */
function wanAddress(wan: string): string | null {
  return networkInterfaces()[wan]?.find((a) => a.family === 'IPv4')?.address ?? null;
}

async function nft(...args: string[]): Promise<string> {
  return (await exec('nft', args)).stdout;
}

/** A free external port: the suggestion, else the internal port, else the first free one from 49152. */
function pickExternalPort(protocol: number, suggested: number, internalPort: number): number | null {
  const taken = new Set(
    [...mappings.values()].filter((m) => m.protocol === protocol).map((m) => m.externalPort),
  );
  for (const p of [suggested, internalPort]) if (p > 0 && !taken.has(p)) return p;
  for (let p = 49152; p <= 65535; p++) if (!taken.has(p)) return p;
  return null;
}

async function removeMapping(key: string): Promise<void> {
  const m = mappings.get(key);
  if (!m) return;
  mappings.delete(key);
  clearTimeout(m.expires);
  await nft('delete', 'rule', 'ip', ISP_GATEWAY_TABLE, 'prerouting', 'handle', String(m.handle));
  process.stdout.write(`del ${protoName(m.protocol)} ${m.externalPort}\n`);
}

/**
 * Creates or refreshes the mapping of `client:internalPort`: the DNAT rule is installed (and confirmed by nft's
 * echoed handle) before this resolves. Null when no port is free.
 */
async function upsertMapping(
  wan: string,
  protocol: 6 | 17,
  client: string,
  internalPort: number,
  suggested: number,
  lifetimeS: number,
  nonce: Buffer | null,
): Promise<Mapping | null> {
  const key = keyOf(protocol, client, internalPort);
  const expire = (): NodeJS.Timeout => setTimeout(() => void removeMapping(key), lifetimeS * 1000).unref();
  const existing = mappings.get(key);
  if (existing) {
    clearTimeout(existing.expires);
    existing.expires = expire();
    return existing;
  }
  const externalPort = pickExternalPort(protocol, suggested, internalPort);
  if (externalPort === null) return null;
  const rule = `iifname ${wan} ${protoName(protocol)} dport ${externalPort} dnat ip to ${client}:${internalPort}`;
  const echoed = await nft(
    '--echo',
    '--handle',
    'add',
    'rule',
    'ip',
    ISP_GATEWAY_TABLE,
    'prerouting',
    ...rule.split(' '),
  );
  const handle = Number(/# handle (\d+)/.exec(echoed)?.[1]);
  if (!Number.isInteger(handle)) throw new Error(`nft gave no rule handle: ${echoed}`);
  const m: Mapping = { protocol, client, internalPort, externalPort, handle, nonce, expires: expire() };
  mappings.set(key, m);
  process.stdout.write(`add ${protoName(protocol)} ${externalPort} ${client}:${internalPort}\n`);
  return m;
}

async function answerNatPmp(wan: string, msg: Buffer, from: RemoteInfo): Promise<Buffer | null> {
  if (msg.length < 2 || msg.readUInt8(1) >= 128) return null;
  const op = msg.readUInt8(1);
  const external = wanAddress(wan);
  if (op === NAT_PMP_OP.externalAddress)
    return encodeNatPmpExternalAddress(
      external ? NATPMP.success : NATPMP.networkFailure,
      epoch(),
      external ?? '0.0.0.0',
    );
  const req = decodeNatPmpMapRequest(msg);
  if (!req) return encodeNatPmpUnsupportedOpcode(op, epoch());
  const fail = (code: number) =>
    encodeNatPmpMapResponse(op, code, epoch(), {
      internalPort: req.internalPort,
      externalPort: 0,
      lifetimeS: 0,
    });
  if (req.lifetimeS === 0) {
    await removeMapping(keyOf(req.protocol, from.address, req.internalPort));
    return encodeNatPmpMapResponse(op, NATPMP.success, epoch(), {
      internalPort: req.internalPort,
      externalPort: 0,
      lifetimeS: 0,
    });
  }
  if (!external) return fail(NATPMP.networkFailure);
  const lifetimeS = Math.min(req.lifetimeS, MAX_LIFETIME_S);
  const m = await upsertMapping(
    wan,
    req.protocol,
    from.address,
    req.internalPort,
    req.externalPort,
    lifetimeS,
    null,
  );
  if (!m) return fail(NATPMP.outOfResources);
  return encodeNatPmpMapResponse(op, NATPMP.success, epoch(), {
    internalPort: m.internalPort,
    externalPort: m.externalPort,
    lifetimeS,
  });
}

async function answerPcp(wan: string, req: PcpRequest, from: RemoteInfo): Promise<Buffer> {
  const error = (code: number) => encodePcpResponse(req, code, ERROR_LIFETIME_S, epoch(), null);
  if (req.version !== PCP_VERSION) return error(PCP.unsuppVersion);
  if (req.clientIp !== from.address) return error(PCP.addressMismatch);
  if (req.opcode === PCP_OP_ANNOUNCE) return encodePcpResponse(req, PCP.success, 0, epoch(), null);
  if (req.opcode !== PCP_OP_MAP || !req.map) return error(PCP.unsuppOpcode);
  const { protocol, internalPort, externalPort, nonce } = req.map;
  if (protocol !== 17 && protocol !== 6) return error(PCP.unsuppProtocol);
  const key = keyOf(protocol, from.address, internalPort);
  const existing = mappings.get(key);
  if (existing?.nonce && !existing.nonce.equals(nonce)) return error(PCP.notAuthorized);
  if (req.lifetimeS === 0) {
    await removeMapping(key);
    return encodePcpResponse(req, PCP.success, 0, epoch(), null);
  }
  const external = wanAddress(wan);
  if (!external) return error(PCP.networkFailure);
  const lifetimeS = Math.min(req.lifetimeS, MAX_LIFETIME_S);
  const m = await upsertMapping(wan, protocol, from.address, internalPort, externalPort, lifetimeS, nonce);
  if (!m) return error(PCP.noResources);
  return encodePcpResponse(req, PCP.success, lifetimeS, epoch(), {
    externalPort: m.externalPort,
    externalAddress: external,
  });
}

async function main(): Promise<void> {
  const [lanIp, wan] = process.argv.slice(2);
  if (!lanIp || !wan) {
    process.stderr.write('usage: isp-gateway.ts LAN_IP WAN_IFACE\n');
    process.exit(2);
  }
  await exec('nft', [
    `table ip ${ISP_GATEWAY_TABLE} {\n chain prerouting { type nat hook prerouting priority dstnat; policy accept; }\n}`,
  ]);
  const socket = createSocket('udp4');
  // One request at a time: a client's resend must find the mapping its first copy created.
  let queue: Promise<void> = Promise.resolve();
  socket.on('message', (msg, from) => {
    const answer = async (): Promise<Buffer | null> => {
      if (msg.length > 0 && msg.readUInt8(0) === NAT_PMP_VERSION) return answerNatPmp(wan, msg, from);
      const pcp = decodePcpRequest(msg);
      return pcp ? answerPcp(wan, pcp, from) : null;
    };
    queue = queue.then(answer).then(
      (reply) => {
        if (reply) socket.send(reply, from.port, from.address);
      },
      (err: Error) => {
        process.stderr.write(`${err.message}\n`);
      },
    );
  });
  const stop = (): void => {
    exec('nft', ['delete', 'table', 'ip', ISP_GATEWAY_TABLE]).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  socket.bind(PORT_MAPPING_PORT, lanIp, () => process.stdout.write('ready\n'));
}

void main();
