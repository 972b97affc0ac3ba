import { describe, expect, it } from 'vitest';
import { Serial } from './serial.js';

describe('Serial', () => {
  it('runs one piece at a time in call order, and a failure does not stop the next', async () => {
    const serial = new Serial();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const piece = (name: string, ms: number, fail = false) =>
      serial.run(async () => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([piece('a', 20), piece('b', 1, true), piece('c', 5)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b', 'c']);
    expect(results[1]!.status).toBe('rejected');
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
