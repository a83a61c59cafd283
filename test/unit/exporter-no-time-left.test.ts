import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createExporterApp, MIN_PROBE_MS } from '../../src/exporter/app.js';
import { ConcurrencyLimiter } from '../../src/exporter/limiter.js';
import type { ExporterSettings } from '../../src/exporter/module.js';
import { createExporterMetrics } from '../../src/exporter/own-metrics.js';

describe('a probe that waited for a slot almost its whole deadline', () => {
  it(`answers 503 "no time left" (under ${MIN_PROBE_MS} ms left) instead of probing and reporting failure`, async () => {
    const limiter = new ConcurrencyLimiter(1, 4);
    const settings: ExporterSettings = {
      modules: new Map([['s', { kind: 'stun', name: 's', timeoutMs: 1000, insecure: false }]]),
      allowedTargets: null,
      maxConcurrent: 1,
      maxQueued: 4,
      timeoutOffsetMs: 0,
    };
    const app = createExporterApp({
      settings,
      limiter,
      metrics: createExporterMetrics(limiter),
      log: () => {},
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const release = await limiter.acquire(new AbortController().signal);
    // The slot is freed 800 ms after the request has queued for it (not after it was sent: on a busy
    // machine the request may reach the server late), so it always waits most of its 1000-ms deadline.
    const queued = setInterval(() => {
      if (limiter.queued === 0) return;
      clearInterval(queued);
      setTimeout(release, 800);
    }, 5);
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/probe?target=stun:127.0.0.1:9&module=s`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/^no time left: the probe waited \d+ ms for a free slot/);
    } finally {
      server.close();
    }
  });
});
