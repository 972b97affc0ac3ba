/**
 * Runs async work one piece at a time, in call order: for a dedicated `pg.Client` (LISTEN, advisory
 * locks), which must not be handed a query while another is running (pg deprecates it).
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(work);
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}
