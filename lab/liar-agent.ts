/**
 * Entry script of a lab misbehaving STUN server ({@link startLiar}), run inside pub with
 * `node --import tsx lab/liar-agent.ts --listen IP[,IP] --ports P[,P] --other IP:PORT
 * [--honour-change-port]`. Prints `ready` once every socket listens and runs until killed; exit 2 on bad arguments.
 */
import { startLiar } from './stun-liar.js';

const USAGE = 'usage: liar-agent.ts --listen IP[,IP] --ports P[,P] --other IP:PORT [--honour-change-port]\n';
const HONOUR = '--honour-change-port';

function parse(argv: readonly string[]): Parameters<typeof startLiar>[0] | null {
  const flags = new Map<string, string>();
  const rest = argv.filter((a) => a !== HONOUR);
  for (let i = 0; i + 1 < rest.length; i += 2) flags.set(rest[i]!, rest[i + 1]!);
  const addresses = flags.get('--listen')?.split(',') ?? [];
  const ports = (flags.get('--ports') ?? '').split(',').map(Number);
  const [otherIp, otherPort] = (flags.get('--other') ?? '').split(':');
  const valid = (p: number): boolean => Number.isInteger(p) && p > 0 && p < 65536;
  if (addresses.length === 0 || !ports.every(valid) || !otherIp || !valid(Number(otherPort))) return null;
  return {
    addresses,
    ports,
    otherAddress: { address: otherIp, port: Number(otherPort) },
    honourChangePort: argv.includes(HONOUR),
  };
}

const spec = parse(process.argv.slice(2));
if (spec === null) {
  process.stderr.write(USAGE);
  process.exitCode = 2;
} else {
  await startLiar(spec);
  process.stdout.write('ready\n');
}
