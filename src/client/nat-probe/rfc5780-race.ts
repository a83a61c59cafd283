import type { StunUdpClient } from '../transport/udp-client.js';
import { answered } from './answers.js';
import {
  changeRequestControl,
  mappingTestsIIandIII,
  type UdpTarget,
  withExpectedSources,
} from './nat-tests.js';
import type { BindingObservation, FilteringTriple, Rfc5780Run } from './observations.js';
import { distrustOf } from './rfc5780-trust.js';

/**
 * One UDP server's tests as started: its mapping test I and its filtering tests (fresh socket), and the
 * fresh socket its CHANGE-REQUEST control runs on once OTHER-ADDRESS is known.
 */
export interface CandidateTests {
  server: UdpTarget;
  testI: Promise<BindingObservation>;
  filtering: Promise<FilteringTriple>;
  controlClient: StunUdpClient;
}

/** The race of the RFC 5780 candidates, as {@link raceRfc5780} runs it. */
export interface Rfc5780Race {
  /** The first run that earned trust (`distrustOf` null), or null once every candidate has finished without. */
  first: Promise<Rfc5780Run | null>;
  /** Every candidate run, in completion order, once all have finished (bounded by the UDP silence budget). */
  all: Promise<Rfc5780Run[]>;
}

/**
 * Races the RFC 5780 candidates: as soon as a server's mapping test I answers with OTHER-ADDRESS, mapping
 * tests II and III go to its alternate addresses from the mapping socket (`client`), its CHANGE-REQUEST
 * control starts on its own socket, and its filtering tests get their expected sources; the first server
 * whose run passes every trust check wins. A dead or slow server holds nothing: its run starts (or never
 * starts) on its own answer. Runs are recorded in the order they complete, which is the order `chooseRfc5780`
 * reads them in, so the report uses the same server the race picked.
 * @param client the socket that ran every test I (RFC 5780 §4.3 needs II and III from the same one).
 */
export function raceRfc5780(client: StunUdpClient, candidates: CandidateTests[]): Rfc5780Race {
  const completed: Rfc5780Run[] = [];
  let pending = candidates.length;
  let settleFirst: (run: Rfc5780Run | null) => void = () => undefined;
  const first = new Promise<Rfc5780Run | null>((resolve) => {
    settleFirst = resolve;
  });
  const runs = candidates.map(async (c) => {
    const testI = await c.testI;
    const other = testI.otherAddress;
    if (answered(testI) && other) {
      const [mapping, filtering, control] = await Promise.all([
        mappingTestsIIandIII(client, c.server, other),
        c.filtering.then((f) => withExpectedSources(f, other)),
        changeRequestControl(c.controlClient, c.server, other),
      ]);
      const run: Rfc5780Run = {
        server: c.server.url,
        testI,
        II: mapping.II,
        III: mapping.III,
        filtering,
        control,
      };
      completed.push(run);
      if (!distrustOf(run)) settleFirst(run);
    }
    pending--;
    if (pending === 0) settleFirst(null);
  });
  if (pending === 0) settleFirst(null);
  return { first, all: Promise.all(runs).then(() => completed) };
}
