import type { OutsideReach } from '../../../report/browser-reach-schema.js';
import type { PathResult, SelectedPair, SignalingCheck } from '../../../report/browser-schema.js';
import { reachMayStart } from '../outside-reach.js';
import { Gathering } from './gathering.js';
import type { IceSink } from './ice-events.js';
import type { LoopbackCall } from './loopback-call.js';
import { runOutsideReach } from './outside-run.js';
import { CALL_PATH_ID, DEADLINES, type PathPlan, type RunPlan } from './plan.js';
import { runPolicyAllCall } from './policy-all-call.js';
import { PROOF_CHANNEL, runRelayProof, THROUGHPUT_CHANNEL } from './relay-run.js';
import type { RunState } from './run-state.js';
import { formatMs, type RunClock } from './timing.js';

/**
 * Runs a {@link RunPlan}: every path, the mapping probe, the page's own call (policy `all`, or `relay` by the
 * visitor's choice) and the signaling check at once,
 * each bounded by its deadline (plan.ts `DEADLINES`), recording into a {@link RunState} and telling the views
 * as results come in. `judgeable` fires once the verdict can be judged (everything but the call's selected
 * pair, which the verdict lists as a fact, and the TURN paths' outside-reach proofs, outside-run.ts, which
 * join their paths' results when done); it resolves once everything has a result.
 */

/** What the views hear during a run (besides candidates and errors, {@link IceSink}). */
export interface RunEvents extends IceSink {
  /** A path's result; `proving` while its relay proof runs (the result has no proof yet). */
  path(result: PathResult, proving: boolean): void;
  signaling(checks: SignalingCheck[]): void;
  selectedPair(pair: SelectedPair | null, error: string | null): void;
  /**
   * Everything the verdict is judged on has a result: every path, the mapping probe, the signaling check and
   * the call's gathering (its candidates count in the NAT facts). Only the call's selected pair, a fact the
   * verdict lists but never judges on, may still come (`selectedPair`, then the run resolves).
   */
  judgeable(): void;
}

/** What stays open after the run: the proofs' calls (for the throughput test) and everything else to close. */
export interface RunHandles {
  /** The connected relay proof calls, by path id. */
  proofCalls: Map<string, LoopbackCall>;
  /** Closes every peer connection the run opened. */
  close(): void;
}

/** The fields of a path's result known before it runs. */
type PathBase = Pick<PathResult, 'id' | 'url' | 'kind' | 'server' | 'relayPorts' | 'throughputKbps'>;

const base = (p: PathPlan): PathBase => ({
  id: p.target.id,
  url: p.url,
  kind: p.target.kind,
  server: p.target.server,
  ...(p.target.relayPorts && { relayPorts: p.target.relayPorts }),
  throughputKbps: null,
});

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `plan` (see the module comment). Never rejects: a part that fails or runs out of time is recorded as
 * such. `signaling` is the signaling check already under way.
 */
export async function runChecks(
  plan: RunPlan,
  state: RunState,
  events: RunEvents,
  signaling: Promise<SignalingCheck[]>,
  clock: RunClock,
): Promise<RunHandles> {
  const sink: IceSink = {
    candidate(row) {
      state.candidate(row);
      events.candidate(row);
    },
    candidateError(row) {
      state.candidateError(row);
      events.candidateError(row);
    },
  };
  const opened: { close(): void }[] = [];
  const proofCalls = new Map<string, LoopbackCall>();
  const gather = (
    pathId: string,
    policy: 'all' | 'relay',
    servers: RunPlan['callServers'],
    channels: string[],
  ): Gathering => {
    const g = new Gathering({ pathId, iceServers: servers, policy, channels, clock, sink });
    opened.push(g);
    return g;
  };

  /** A TURN path: the proof's call starts with the gathering; it is abandoned if the path does not gather. */
  const gatherAndProve = async (p: PathPlan, g: Gathering): Promise<Omit<PathResult, keyof PathBase>> => {
    const stop = new AbortController();
    const proving = runRelayProof(p, g, stop.signal);
    const outcome = await g.first(p.expect, DEADLINES.gatherMs);
    if (!outcome.gathered) {
      stop.abort('the path gathered no relay candidate');
      await proving;
      return { ...outcome, proof: null };
    }
    events.path({ ...base(p), ...outcome, proof: null }, true);
    const timer = setTimeout(
      () => stop.abort(`did not connect within ${formatMs(DEADLINES.proofMs)} of gathering`),
      DEADLINES.proofMs,
    );
    const run = await proving;
    clearTimeout(timer);
    if (run.call) {
      proofCalls.set(p.target.id, run.call);
      opened.push(run.call);
    }
    return { ...outcome, proof: run.proof };
  };

  /**
   * Each TURN path's outside-reach proof: it starts once the path's gathering and relay proof returned (its own
   * Allocate with the same credential must not take the path's place on a per-user allocation quota, e.g.
   * coturn's user-quota), only when the path gathered a relay candidate, and joins the path's result when
   * done, after the verdict if later.
   */
  const reaches: Promise<void>[] = [];
  const addReach = (p: PathPlan, reach: Promise<OutsideReach>): void => {
    reaches.push(
      reach.then((outsideReach) => {
        const now = state.path(p.target.id);
        if (!now?.gathered) return;
        const result = { ...now, outsideReach };
        state.setPath(result);
        events.path(result, false);
      }),
    );
  };

  const runPath = async (p: PathPlan): Promise<void> => {
    let result: PathResult;
    try {
      const g = gather(
        p.target.id,
        p.policy,
        [p.target.iceServer],
        p.prove ? [PROOF_CHANNEL, THROUGHPUT_CHANNEL] : ['gather'],
      );
      result = {
        ...base(p),
        ...(p.prove
          ? await gatherAndProve(p, g)
          : { ...(await g.first(p.expect, DEADLINES.gatherMs)), proof: null }),
      };
    } catch (err) {
      result = {
        ...base(p),
        gathered: false,
        firstCandidateMs: null,
        proof: null,
        error: `the browser refused this server: ${message(err)}`,
      };
    }
    state.setPath(result);
    events.path(result, false);
    if (reachMayStart(p.prove, result, state.candidates)) addReach(p, runOutsideReach(p));
  };

  const runMapping = async (): Promise<void> => {
    const m = plan.mapping;
    if (!m) return;
    try {
      const complete = await gather(m.pathId, 'all', m.iceServers, ['mapping']).untilComplete(
        DEADLINES.mappingMs,
      );
      state.mappingProbe = { pathId: m.pathId, servers: m.servers, complete };
    } catch {
      state.mappingProbe = null;
    }
  };

  /**
   * Starts the policy-`all` call. `gathered`: its gathering is complete (or out of time), so every candidate the
   * verdict is judged on is in; `done`: its pair (a fact only, never judged on) is known.
   */
  const startCall = (): { gathered: Promise<unknown>; done: Promise<void> } => {
    const finish = (pair: SelectedPair | null, error: string | null): void => {
      state.selectedPair = pair;
      events.selectedPair(pair, error);
    };
    let g: Gathering;
    try {
      g = gather(CALL_PATH_ID, plan.callPolicy, plan.callServers, ['call']);
    } catch (err) {
      finish(null, `the browser refused the servers: ${message(err)}`);
      return { gathered: Promise.resolve(), done: Promise.resolve() };
    }
    const config: RTCConfiguration = {
      iceServers: plan.callServers.map((s) => ({ ...s })),
      iceTransportPolicy: plan.callPolicy,
    };
    const done = runPolicyAllCall(g, config, DEADLINES.callMs).then((outcome) => {
      if (outcome.call) opened.push(outcome.call);
      finish(outcome.pair, outcome.error);
    });
    return { gathered: g.untilComplete(DEADLINES.gatherMs), done };
  };

  const runSignaling = async (): Promise<void> => {
    state.signaling = await signaling;
    events.signaling(state.signaling);
  };

  const call = startCall();
  const judged = Promise.all([...plan.paths.map(runPath), runMapping(), runSignaling(), call.gathered]).then(
    () => events.judgeable(),
  );
  await Promise.all([judged, call.done]);
  await Promise.all(reaches);
  return {
    proofCalls,
    close() {
      for (const o of opened) o.close();
    },
  };
}
