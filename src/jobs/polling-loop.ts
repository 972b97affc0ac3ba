import type { Logger } from 'pino';

/**
 * Runs `pass` again and again: at once while it reports work done, otherwise after `pollMs`
 * (or sooner on `wake()`). A failing pass is logged and retried after the poll interval.
 */
export class PollingLoop {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;

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

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      try {
        if ((await this.pass()) > 0) continue;
      } catch (error) {
        this.logger.error({ err: error }, `${this.what} pass failed; retrying`);
      }
      if (this.#woken || !this.#running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
