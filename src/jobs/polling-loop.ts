import type { Logger } from 'pino';

/**
 * Runs `pass` again and again: at once while it reports work done, otherwise after `pollMs`
 * (or sooner on `wake()`, or at the time a pass asked for with `wakeIn()`). A failing pass is
 * logged and retried after the poll interval.
 */
export class PollingLoop {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #reschedule: (() => void) | undefined;
  #woken = false;
  /** When a pass asked to run again (epoch ms), if sooner than the poll interval. */
  #soonest: number | undefined;

  constructor(
    private readonly pass: () => Promise<number>,
    private readonly pollMs: number,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /**
   * A loop that runs `task` every `intervalMs` (first at start), never "busy": periodic syncs
   * and refreshes. `wake()` runs a pass now.
   */
  static every(intervalMs: number, logger: Logger, what: string, task: () => Promise<void>): PollingLoop {
    return new PollingLoop(
      async () => {
        await task();
        return 0;
      },
      intervalMs,
      logger,
      what,
    );
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops after the pass under way. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /**
   * Runs a pass in `ms` at the latest (sooner than the poll interval): a pass that left work
   * waiting for a known moment (a rate limit's next token) asks to be run again then instead
   * of at the next poll.
   */
  wakeIn(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (this.#soonest !== undefined && this.#soonest <= at) return;
    this.#soonest = at;
    this.#reschedule?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      this.#soonest = undefined;
      try {
        if ((await this.pass()) > 0) continue;
      } catch (error) {
        this.logger.error({ err: error }, `${this.what} pass failed; retrying`);
      }
      if (this.#woken || !this.#running) continue;
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(resolve, this.#soonest === undefined ? this.pollMs : Math.min(this.pollMs, Math.max(0, this.#soonest - Date.now())));
        };
        arm();
        this.#reschedule = arm;
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      this.#reschedule = undefined;
    }
  }
}
