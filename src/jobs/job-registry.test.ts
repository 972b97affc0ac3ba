import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { JobRegistry, type JobWorker } from './job-registry.js';
import { PollingLoop } from './polling-loop.js';

function fakeWorker(name: string, log: string[], stopMs = 0): JobWorker & { wakes: number } {
  return {
    wakes: 0,
    start: () => log.push(`start ${name}`),
    stop: async () => {
      log.push(`stopping ${name}`);
      await new Promise((resolve) => setTimeout(resolve, stopMs));
      log.push(`stopped ${name}`);
    },
    wake() {
      this.wakes += 1;
    },
  };
}

describe('JobRegistry', () => {
  it('starts in registration order and stops in reverse, each stop awaited before the next', async () => {
    const log: string[] = [];
    const jobs = new JobRegistry();
    jobs.register('refresh', fakeWorker('refresh', log));
    jobs.register('dispatcher', fakeWorker('dispatcher', log, 30));
    jobs.register('processor', fakeWorker('processor', log, 10));
    jobs.startAll();
    expect(log).toEqual(['start refresh', 'start dispatcher', 'start processor']);
    log.length = 0;
    await jobs.stopAll();
    expect(log).toEqual(['stopping processor', 'stopped processor', 'stopping dispatcher', 'stopped dispatcher', 'stopping refresh', 'stopped refresh']);
  });

  it('names each stop step through the wrapper, and resolves only after work in flight is done', async () => {
    const jobs = new JobRegistry();
    let inFlight = true;
    jobs.register('media downloader', {
      start: () => undefined,
      stop: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight = false;
      },
    });
    const steps: string[] = [];
    await jobs.stopAll(async (name, stop) => {
      steps.push(name);
      await stop();
    });
    expect(steps).toEqual(['media downloader']);
    expect(inFlight).toBe(false);
  });

  it('wakes a worker by name; an unknown name or a second registration is a wiring error', () => {
    const jobs = new JobRegistry();
    const dispatcher = fakeWorker('dispatcher', []);
    jobs.register('dispatcher', dispatcher);
    jobs.register('template sync', { start: () => undefined, stop: async () => undefined }); // no wake: ignored
    jobs.wake('dispatcher');
    jobs.wake('dispatcher');
    jobs.wake('template sync');
    expect(dispatcher.wakes).toBe(2);
    expect(() => jobs.wake('dispatchr')).toThrow(/no job "dispatchr"/);
    expect(() => jobs.register('dispatcher', fakeWorker('again', []))).toThrow(/already registered/);
  });

  it('starts a worker registered after startAll at once', () => {
    const log: string[] = [];
    const jobs = new JobRegistry();
    jobs.startAll();
    jobs.register('late', fakeWorker('late', log));
    expect(log).toEqual(['start late']);
  });

  it('with a polling loop: wake runs a pass now instead of after the poll interval; stop waits for the pass under way', async () => {
    const jobs = new JobRegistry();
    const passes: number[] = [];
    let finished = 0;
    const loop = new PollingLoop(
      async () => {
        passes.push(Date.now());
        await new Promise((resolve) => setTimeout(resolve, 40));
        finished += 1;
        return 0;
      },
      60_000,
      pino({ level: 'silent' }),
      'test',
    );
    jobs.register('worker', loop);
    jobs.startAll();
    await new Promise((resolve) => setTimeout(resolve, 60)); // the first pass, then an idle wait of a minute
    expect(passes).toHaveLength(1);
    const woken = Date.now();
    jobs.wake('worker');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passes).toHaveLength(2);
    expect((passes[1] as number) - woken).toBeLessThan(20);
    expect(finished).toBe(1); // the second pass is under way
    await jobs.stopAll();
    expect(finished).toBe(2);
  });
});
