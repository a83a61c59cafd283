import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerMix, startServerMix } from '../../lab/server-mix.js';
import { runDiagnosis } from '../../src/diagnosis/run.js';
import { diagnosisReportSchema } from '../../src/report/schema.js';

/** The main job's public part against [dead, liar, good] "public" servers on loopback addresses of their own. */
describe('main job: public servers that are dead or lie', () => {
  let mix: ServerMix;
  beforeAll(async () => {
    mix = await startServerMix({ good: ['127.0.0.3', '127.0.0.4'], dead: '127.0.0.5', liar: '127.0.0.6' });
  });
  afterAll(async () => mix?.close());

  it('[dead, liar, good]: the public part carries the good server’s verdicts and names the liar', async () => {
    const { dead, liar, goodUrl } = mix;
    const report = diagnosisReportSchema.parse(
      await runDiagnosis({ servers: [dead.url, liar.url, goodUrl], timeoutMs: 5000 }),
    );
    expect(report.publicUnreachable).toBeNull();
    expect(report.public).toMatchObject({
      udp: true,
      udpStatus: 'works',
      filtering: 'endpoint-independent',
      rfc5780Server: goodUrl,
      untrustedServers: [{ url: liar.url }],
    });
    // Generous: waiting for the dead server until the deadline would take the whole 5000 ms.
    expect(report.public?.durationMs).toBeLessThan(2500);
  });

  it('a deadline before any answer: the public part says so, not "UDP blocked" nor "unreachable"', async () => {
    const report = await runDiagnosis({ servers: [mix.dead.url], timeoutMs: 1 });
    expect(report.public).toBeNull();
    expect(report.publicUnreachable).toMatch(/did not answer before the deadline/);
  });
});
