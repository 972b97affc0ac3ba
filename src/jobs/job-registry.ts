/** What the registry needs of a worker: most own a `PollingLoop` and pass these through. */
export interface JobWorker {
  /** Starts its loop; answers at once. */
  start(): void;
  /** Stops claiming and resolves once the work in flight is done. */
  stop(): Promise<void>;
  /** Runs a pass now instead of at the end of the idle wait (something was queued). */
  wake?(): void;
}

/**
 * The platform's background workers by name: started together, stopped in reverse order of
 * registration (each awaited, with its work in flight, before the next), woken by name. The
 * composition root registers every worker once; modules are handed `() => jobs.wake(name)`
 * rather than each other.
 *
 * @example
 * const jobs = new JobRegistry();
 * jobs.register('dispatcher', dispatcher);
 * jobs.register('inbound processor', processor); // stopped first: it queues for the dispatcher
 * jobs.startAll();
 * jobs.wake('dispatcher');
 * await jobs.stopAll();
 */
export class JobRegistry {
  readonly #workers = new Map<string, JobWorker>();
  #started = false;

  /** Adds a worker; a name is registered once. Registered after `startAll`, it starts at once. */
  register(name: string, worker: JobWorker): void {
    if (this.#workers.has(name)) throw new Error(`job "${name}" is already registered`);
    this.#workers.set(name, worker);
    if (this.#started) worker.start();
  }

  /** The registered names, in registration (start) order. */
  names(): string[] {
    return [...this.#workers.keys()];
  }

  /** Starts every worker, in registration order. */
  startAll(): void {
    this.#started = true;
    for (const worker of this.#workers.values()) worker.start();
  }

  /**
   * Stops every worker in reverse order of registration, each awaited (its work in flight
   * done) before the next. `each` wraps every stop, e.g. to name the step a slow shutdown
   * waits for; it must call `stop`.
   */
  async stopAll(each: (name: string, stop: () => Promise<void>) => Promise<void> = (_name, stop) => stop()): Promise<void> {
    this.#started = false;
    for (const name of this.names().reverse()) {
      const worker = this.#workers.get(name) as JobWorker;
      await each(name, () => worker.stop());
    }
  }

  /** Cuts a worker's idle wait short. An unknown name is a wiring bug and throws. */
  wake(name: string): void {
    const worker = this.#workers.get(name);
    if (!worker) throw new Error(`no job "${name}" is registered`);
    worker.wake?.();
  }
}
