import { describe, expect, it } from 'vitest';
import { PlatformClock } from './clock.js';

const REAL = Date.UTC(2026, 11, 6, 12);
const MONTH = 30 * 24 * 3600 * 1000;

describe('PlatformClock', () => {
  it('answers sandbox time for sandbox numbers only, and real time for everything else', () => {
    const clock = new PlatformClock({ realNow: () => REAL, sandboxNow: () => REAL + MONTH });
    expect(clock.now().getTime()).toBe(REAL);
    expect(clock.forNumber({ provider: 'sandbox' }).getTime()).toBe(REAL + MONTH);
    expect(clock.forNumber({ provider: 'cloud_api' }).getTime()).toBe(REAL);
    expect(clock.latest().getTime()).toBe(REAL + MONTH);
  });

  it('without an embedded sandbox every number is on real time', async () => {
    const clock = new PlatformClock({ realNow: () => REAL });
    expect(clock.forNumber({ provider: 'sandbox' }).getTime()).toBe(REAL);
    expect((await clock.at('pn_unknown')).getTime()).toBe(REAL);
    expect(clock.latest().getTime()).toBe(REAL);
  });
});
