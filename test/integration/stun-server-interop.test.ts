/**
 * Interop of the bundled STUN server with third-party clients on loopback: coturn's
 * `turnutils_natdiscovery` (RFC 5780) and the classic Vovida `stun` client (RFC 3489, no magic cookie).
 * On loopback there is no NAT, so both must report endpoint-independent behaviour / an open host.
 * A missing tool is reported as skipped, never passed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStunServer, startStunServer } from '../../src/server/stun/server.js';

const run = promisify(execFile);
const NATDISCOVERY = '/usr/bin/turnutils_natdiscovery';
const STUN_CLIENT = '/usr/bin/stun';

/** Runs a tool asynchronously (the server answers from this process's event loop) and returns its output. */
async function tool(file: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 25_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('interop with third-party STUN clients on loopback', () => {
  let server: RunningStunServer;
  let port: string;
  beforeAll(async () => {
    server = await startStunServer({ port: 0 });
    port = String(server.primary.port);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.skipIf(!existsSync(NATDISCOVERY))(
    'turnutils_natdiscovery -m -f: endpoint-independent mapping and filtering',
    async () => {
      const { code, out } = await tool(NATDISCOVERY, ['-m', '-f', '-p', port, '127.0.0.1']);
      expect(code).toBe(0);
      expect(out).toContain(`Response origin: : 127.0.0.2:${server.primary.port}`);
      expect(out).toContain(`Other addr: : 127.0.0.2:${server.primary.port + 1}`);
      expect(out).toContain('Endpoint Independent Mapping!');
      expect(out).toContain('NAT with Endpoint Independent Filtering!');
    },
  );

  it.skipIf(!existsSync(NATDISCOVERY))(
    'turnutils_natdiscovery -m -f -c bound to 127.0.0.1: no NAT',
    async () => {
      const { code, out } = await tool(NATDISCOVERY, [
        '-m',
        '-f',
        '-c',
        '-A',
        '127.0.0.2',
        '-L',
        '127.0.0.1',
        '-p',
        port,
        '127.0.0.1',
      ]);
      expect(code).toBe(0);
      expect(out).toContain('No NAT! (Endpoint Independent Mapping)');
      expect(out).toContain('NAT with Endpoint Independent Filtering!');
      expect(out).toContain('-= Collision Behavior Discovery =-');
    },
  );

  it.skipIf(!existsSync(NATDISCOVERY))(
    'turnutils_natdiscovery -P (1500-byte PADDING) still succeeds',
    async () => {
      const { code, out } = await tool(NATDISCOVERY, ['-m', '-f', '-P', '-p', port, '127.0.0.1']);
      expect(code).toBe(0);
      expect(out).toContain('Endpoint Independent Mapping!');
      expect(out).toContain('NAT with Endpoint Independent Filtering!');
    },
  );

  it.skipIf(!existsSync(STUN_CLIENT))(
    'classic stun client (RFC 3489): change-IP and change-port answers, "Primary: Open"',
    async () => {
      const { code, out } = await tool(STUN_CLIENT, [`127.0.0.1:${port}`, '-v']);
      expect(out).toContain(`ChangedAddress = 127.0.0.2:${server.primary.port + 1}`);
      expect(out).toContain(`SourceAddress = 127.0.0.2:${server.primary.port}`);
      expect(out).toContain(`SourceAddress = 127.0.0.1:${server.primary.port + 1}`);
      expect(out).toContain('Primary: Open');
      expect(out).toContain('Return value is 0x000001');
      expect(code).toBe(1);
    },
  );
});
