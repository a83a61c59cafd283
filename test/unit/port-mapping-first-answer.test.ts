import { describe, expect, it } from 'vitest';
import { firstAnswer } from '../../src/client/port-mapping/first-answer.js';

const BUDGET = { firstMs: 250, stepMs: 1000, httpMs: 1000, lifetimeS: 60 };

describe('firstAnswer: the 250-ms bound of a silent router', () => {
  it('a silent router: one attempt with the first-answer budget', async () => {
    const asked: number[] = [];
    const r = await firstAnswer(
      async (ms) => {
        asked.push(ms);
        return null;
      },
      BUDGET,
      { answered: false },
    );
    expect(r).toEqual({ value: null, waitedMs: 250 });
    expect(asked).toEqual([250]);
  });

  it('a router that answered another protocol gets one more, longer attempt', async () => {
    const asked: number[] = [];
    const r = await firstAnswer(
      async (ms) => {
        asked.push(ms);
        return asked.length === 2 ? 'late' : null;
      },
      BUDGET,
      {
        answered: true,
      },
    );
    expect(r).toEqual({ value: 'late', waitedMs: 1250 });
    expect(asked).toEqual([250, 1000]);
  });

  it('an answer marks the router alive for the other protocols', async () => {
    const live = { answered: false };
    expect((await firstAnswer(async () => 'ok', BUDGET, live)).value).toBe('ok');
    expect(live.answered).toBe(true);
  });
});
