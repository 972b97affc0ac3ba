import { describe, expect, it } from 'vitest';
import { LOGIN_WINDOW_MS, LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('blocks an e-mail after 5 failures until the oldest leaves the 15-minute window', () => {
    const throttle = new LoginThrottle();
    const start = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(throttle.check('ana@x', '10.0.0.1', start + i * 1000)).toEqual({ ok: true });
      throttle.fail('ana@x', '10.0.0.1', start + i * 1000);
    }
    expect(throttle.check('ana@x', '10.0.0.2', start + 5000)).toEqual({ ok: false, retryAfterSeconds: LOGIN_WINDOW_MS / 1000 - 5 });
    expect(throttle.check('bia@x', '10.0.0.2', start + 5000)).toEqual({ ok: true });
    expect(throttle.check('ana@x', '10.0.0.2', start + LOGIN_WINDOW_MS + 1)).toEqual({ ok: true });
  });

  it('blocks an address after 20 failures whatever the e-mails, and a success forgets only the e-mail', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 20; i++) throttle.fail(`user${i}@x`, '10.0.0.9', 1000);
    expect(throttle.check('new@x', '10.0.0.9', 2000).ok).toBe(false);
    expect(throttle.check('new@x', '10.0.0.8', 2000).ok).toBe(true);
    throttle.succeed('user1@x');
    expect(throttle.check('user1@x', '10.0.0.8', 2000).ok).toBe(true);
  });

  it('keeps its memory bounded', () => {
    const throttle = new LoginThrottle({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) throttle.fail(`u${i}@x`, `10.0.${i >> 8}.${i & 255}`, 1000 + i);
    expect(throttle.check('u999@x', '10.0.3.231', 3000).ok).toBe(true);
  });
});
