/**
 * The acceptance of `ice-doctor exporter` (issue 15 §4) with the real thing: Debian's Prometheus scrapes
 * the exporter (the built CLI) with the blackbox relabel pattern, the exporter probes the bundled TURN server
 * (`ice-doctor serve`) and coturn on loopback; Prometheus' HTTP API must show probe_success 1 for both,
 * then 0 for the bundled server once it is stopped (coturn still 1). Every process is started and stopped
 * by PID, every temporary directory removed. Skipped (counted) without /usr/bin/prometheus or coturn.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { type CoturnTurn, freePort, startCoturnTurn } from '../../lab/coturn-turn.js';
import { CLI_PATH } from '../../lab/paths.js';
import { type ServeProcess, startListening } from '../support/serve-process.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PASSWORD_ENV = 'ICE_DOCTOR_TEST_TURN_PASSWORD';
/** Prometheus scrapes every 5 s with a 5 s timeout (the exporter stops each probe at 4.5 s: coturn deletes on a 1 s tick). */
const SCRAPE_S = 5;
/** The longest any state is waited for (a busy machine: many scrapes). */
const WAIT_MS = 90_000;

/** A child process started by this test, its output kept, stopped by PID. */
interface Child {
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child: ChildProcess = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` every 500 ms until it returns a value, or fails after `timeoutMs` with `what` and `log()`. */
async function until<T>(
  what: string,
  probe: () => Promise<T | null>,
  log: () => string,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown = null;
  while (performance.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms (last error: ${String(last)})\n${log()}`);
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!existsSync(PROMETHEUS) || !coturnAvailable)(
  'exporter scraped by Debian Prometheus, probing the bundled server and coturn',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'exporter-prometheus-'));
    let bundled: ServeProcess | undefined;
    let coturn: CoturnTurn | undefined;
    let exporter: Child | undefined;
    let prometheus: Child | undefined;
    let promUrl = '';

    const logs = (): string =>
      [
        `--- exporter\n${exporter?.output().slice(-3000) ?? ''}`,
        `--- prometheus\n${prometheus?.output().slice(-3000) ?? ''}`,
      ].join('\n');

    /** probe_success by `server` label, as Prometheus' API answers the instant query now. */
    async function probeSuccess(): Promise<Record<string, string>> {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('probe_success')}`);
      const body = (await res.json()) as { status: string; data: { result: Sample[] } };
      expect(body.status).toBe('success');
      return Object.fromEntries(body.data.result.map((s) => [s.metric.server ?? '', s.value[1]]));
    }

    beforeAll(async () => {
      const base = 40_000 + Math.floor(Math.random() * 90) * 100;
      bundled = await startListening([
        '--port',
        '0',
        '--json',
        '--listen',
        '127.0.0.1',
        '--no-report',
        '--user',
        'alice:wonderland',
        '--relay-ports',
        `${base}-${base + 99}`,
      ]);
      coturn = await startCoturnTurn({
        realm: 'ice-doctor.test',
        users: new Map([['alice', 'wonderland']]),
        allowLoopbackPeers: true,
      });
      const config = join(dir, 'exporter.yaml');
      writeFileSync(
        config,
        [
          'modules:',
          '  turn_udp:',
          '    kind: turn',
          '    transport: udp',
          '    timeout: 10s',
          `    credentials: { user: alice, passwordEnv: ${PASSWORD_ENV} }`,
          'allowedTargets: [127.0.0.1]',
          '',
        ].join('\n'),
      );
      exporter = start(
        process.execPath,
        [CLI_PATH, 'exporter', '--config', config, '--listen', '127.0.0.1:0'],
        {
          ...process.env,
          [PASSWORD_ENV]: 'wonderland',
        },
      );
      const listening = await until(
        'the exporter listening line',
        async () => /listening on http:\/\/(127\.0\.0\.1:\d+)/.exec(exporter!.output())?.[1] ?? null,
        logs,
        20_000,
      );
      const promPort = await freePort();
      promUrl = `http://127.0.0.1:${promPort}`;
      const target = (port: number, server: string) => ({
        targets: [`turn:127.0.0.1:${port}?transport=udp`],
        labels: { server },
      });
      const scrape = {
        global: { scrape_interval: `${SCRAPE_S}s`, scrape_timeout: `${SCRAPE_S}s` },
        scrape_configs: [
          {
            job_name: 'turn',
            metrics_path: '/probe',
            params: { module: ['turn_udp'] },
            static_configs: [
              target(bundled.line.turn.udp[0]!.port, 'bundled'),
              target(coturn.port, 'coturn'),
            ],
            relabel_configs: [
              { source_labels: ['__address__'], target_label: '__param_target' },
              { source_labels: ['__param_target'], target_label: 'instance' },
              { target_label: '__address__', replacement: listening },
            ],
          },
          { job_name: 'exporter', static_configs: [{ targets: [listening] }] },
        ],
      };
      // JSON is YAML: Prometheus reads this file as its config.
      writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(scrape, null, 2));
      prometheus = start(PROMETHEUS, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ]);
      await until(
        'Prometheus ready',
        async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : null),
        logs,
        30_000,
      );
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      await exporter?.stop();
      await bundled?.stop();
      await coturn?.stop();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('Prometheus sees probe_success 1 for the bundled server and coturn', async () => {
      const seen = await until(
        'probe_success 1 for both servers',
        async () => {
          const s = await probeSuccess();
          return s.bundled === '1' && s.coturn === '1' ? s : null;
        },
        logs,
      );
      expect(seen).toEqual({ bundled: '1', coturn: '1' });
    }, 120_000);

    it("and the exporter's own metrics count the probes it ran", async () => {
      const count = await until(
        'ice_doctor_exporter_probes_total',
        async () => {
          const q = encodeURIComponent(
            'sum(ice_doctor_exporter_probes_total{module="turn_udp",result="success"})',
          );
          const body = (await (await fetch(`${promUrl}/api/v1/query?query=${q}`)).json()) as {
            data: { result: Sample[] };
          };
          const v = Number(body.data.result[0]?.value[1] ?? '0');
          return v >= 2 ? v : null;
        },
        logs,
      );
      expect(count).toBeGreaterThanOrEqual(2);
    }, 120_000);

    it('stopping the bundled server turns its probe_success to 0 while coturn stays 1', async () => {
      await bundled?.stop();
      const seen = await until(
        'probe_success 0 for the stopped bundled server, 1 for coturn',
        async () => {
          const s = await probeSuccess();
          return s.bundled === '0' && s.coturn === '1' ? s : null;
        },
        logs,
      );
      expect(seen).toEqual({ bundled: '0', coturn: '1' });
    }, 120_000);
  },
);
