import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PollingLoop } from './polling-loop.js';

describe('PollingLoop.wakeIn', () => {
  it('runs the next pass at the moment a pass asked for, not after the poll interval', async () => {
    const passes: number[] = [];
    const loop = new PollingLoop(
      async () => {
        passes.push(Date.now());
        if (passes.length === 1) loop.wakeIn(40); // e.g. a rate limit's next token
        return 0;
      },
      60_000,
      pino({ level: 'silent' }),
      'test',
    );
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await loop.stop();
    expect(passes).toHaveLength(2); // the asked-for pass, and no third (the poll is a minute)
    expect((passes[1] as number) - (passes[0] as number)).toBeGreaterThanOrEqual(35);
    expect((passes[1] as number) - (passes[0] as number)).toBeLessThan(120);
  });

  it('a later request does not push back a sooner one, asked while idle', async () => {
    const passes: number[] = [];
    const loop = new PollingLoop(async () => passes.push(Date.now()) && 0, 60_000, pino({ level: 'silent' }), 'test');
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const asked = Date.now();
    loop.wakeIn(30);
    loop.wakeIn(10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await loop.stop();
    expect(passes).toHaveLength(2);
    expect((passes[1] as number) - asked).toBeLessThan(90);
  });
});
