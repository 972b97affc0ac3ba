/** A response body inspected freely by end-to-end tests. */
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are inspected freely

/**
 * Polls `probe` until it answers something truthy, or fails naming `what` after `timeoutMs`
 * (a function: read at the timeout, so it can say the state the probe last saw).
 */
export async function until<T>(probe: () => Promise<T | undefined | false>, what: string | (() => string), timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
