import { describe, expect, it } from 'vitest';
import { alternateFinding, alternateOf } from '../../src/client/turn-check/alternate.js';
import type { TurnTargetObservations } from '../../src/client/turn-check/observations.js';
import { hostAllowed } from '../../src/exporter/target.js';
import { transportAddress } from '../../src/wire/address.js';
import { req } from '../support/turn-observations.js';

const A = transportAddress('198.51.100.1', 3478);
const OUTSIDE = transportAddress('10.0.0.5', 3478);

describe('a 300 Try Alternate outside the allowed targets is not followed', () => {
  const follow = (r: { to: { address: string } }) =>
    hostAllowed(r.to.address, ['198.51.100.1', '198.51.100.2']);

  it('followed inside the list, refused outside it, with the reason', () => {
    expect(
      alternateOf(A, { to: transportAddress('198.51.100.2', 3478), domain: null }, follow).followed,
    ).toBe(true);
    const refused = alternateOf(A, { to: OUTSIDE, domain: 'evil.example' }, follow);
    expect(refused).toMatchObject({
      followed: false,
      why: '10.0.0.5:3478 is not among the targets this check may probe',
    });
    const o = req('allocate', { success: false, errorCode: 300, alternateServer: OUTSIDE });
    const f = alternateFinding(o, { alternate: refused } as unknown as TurnTargetObservations);
    expect(f.message).toMatch(/which was not followed: 10\.0\.0\.5:3478 is not among the targets/);
    expect(f.message).not.toMatch(/loop/);
  });
});
