/**
 * The sandbox's clock: real time plus an offset that `POST /sandbox/v1/clock` moves forward,
 * so the 24-hour window and media URL expiry can be tested without waiting.
 */
export class SandboxClock {
  #offsetMs: number;

  constructor(offsetMs = 0) {
    this.#offsetMs = offsetMs;
  }

  /** Milliseconds since the epoch, in sandbox time. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Unix seconds in sandbox time, as Meta writes timestamps (a string). */
  unixSeconds(): string {
    return String(Math.floor(this.now() / 1000));
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  advance(seconds: number): void {
    this.#offsetMs += Math.round(seconds * 1000);
  }
}
