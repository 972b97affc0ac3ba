import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

/** Stands for a named value while a prepared query is built; never reaches the database. */
class Placeholder {
  constructor(readonly name: string) {
    Object.freeze(this);
  }

  [Symbol.toPrimitive](): never {
    throw new TypeError(`prepared query: the value "${this.name}" was used as text or a number while the query was built; it may only be passed to Kysely as a value`);
  }
}

type Slot = { readonly name: string } | { readonly value: unknown };

interface Template {
  readonly compiled: CompiledQuery<unknown>;
  readonly slots: readonly Slot[];
}

/**
 * A query whose shape never changes, built and compiled by Kysely once per database and then
 * run with new values: the hot paths (a customer's message, the bot's answer, a dispatch) ran
 * the same two dozen statements for every message, and building and compiling them with
 * Kysely cost about as much as SQLite running them (bench/RESULTS.md).
 *
 * `build` receives the parameters as stand-ins: pass each one to Kysely where a value goes
 * (`where`, `values`, `set`, `limit`); do not branch on it, read its fields or turn it into text
 * (that throws at the first run). The stand-ins have the keys of the first call's values, so a
 * whole row can go to `values(row)`; every value given must be used. Lists (`in (…)`), columns
 * present only sometimes, and values Kysely inlines (`sql.lit`) change the SQL and do not belong
 * in a prepared query. A value passed as `undefined` is refused: pass `null` for SQL NULL.
 *
 * @example
 * const byWaId = prepared((db: Kysely<Schema>, p: { workspaceId: string; waId: string }) =>
 *   db.selectFrom('contacts').selectAll().where('workspace_id', '=', p.workspaceId).where('wa_id', '=', p.waId));
 * const contact = await byWaId.first(trx, { workspaceId, waId });
 */
export class PreparedQuery<DB, P extends object, O> {
  // One template per Kysely adapter: a database and its transactions share it, SQLite and
  // PostgreSQL compile differently.
  readonly #templates = new WeakMap<object, Template>();

  constructor(private readonly build: (db: Kysely<DB>, params: P) => Compilable<O>) {}

  /** Runs the query: its result as Kysely's driver answers it (rows, affected row count). */
  async run(db: Kysely<DB>, params: P): Promise<QueryResult<O>> {
    const adapter = db.getExecutor().adapter;
    let template = this.#templates.get(adapter);
    if (!template) {
      template = this.#compile(db, params);
      this.#templates.set(adapter, template);
    }
    const parameters = template.slots.map((slot) => {
      if (!('name' in slot)) return slot.value;
      const value = (params as Record<string, unknown>)[slot.name];
      if (value === undefined) throw new TypeError(`prepared query: no value for "${slot.name}" (pass null for SQL NULL)`);
      return value;
    });
    const { compiled } = template;
    return db.executeQuery<O>({ query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters });
  }

  /** The rows the query answers. */
  async rows(db: Kysely<DB>, params: P): Promise<O[]> {
    return (await this.run(db, params)).rows;
  }

  /** The first row the query answers, or undefined. */
  async first(db: Kysely<DB>, params: P): Promise<O | undefined> {
    return (await this.run(db, params)).rows[0];
  }

  /** How many rows an insert, update or delete changed. */
  async affected(db: Kysely<DB>, params: P): Promise<number> {
    return Number((await this.run(db, params)).numAffectedRows ?? 0);
  }

  #compile(db: Kysely<DB>, first: P): Template {
    const used = new Set<string>();
    // The stand-ins have the first call's keys, so a whole row can be given to `values(row)`.
    const keys = Object.keys(first);
    const stand = new Proxy({} as P, {
      get: (_target, name) => {
        if (typeof name !== 'string') return undefined;
        used.add(name);
        return new Placeholder(name);
      },
      ownKeys: () => keys,
      getOwnPropertyDescriptor: (_target, name) => (typeof name === 'string' && keys.includes(name) ? { value: new Placeholder(name), enumerable: true, configurable: true, writable: false } : undefined),
    });
    const compiled = this.build(db, stand).compile() as CompiledQuery<unknown>;
    const slots = compiled.parameters.map((value): Slot => (value instanceof Placeholder ? { name: value.name } : { value }));
    // A stand-in Kysely did not pass on as a parameter was consumed some other way: the SQL
    // would not follow its value.
    for (const name of used) {
      if (!slots.some((slot) => 'name' in slot && slot.name === name)) throw new TypeError(`prepared query: "${name}" was read while building but is not a parameter of the SQL`);
    }
    // And a value given that the query never reads would be dropped without a word.
    for (const name of keys) {
      if (!used.has(name)) throw new TypeError(`prepared query: "${name}" was given but the query does not use it`);
    }
    return { compiled, slots };
  }
}

/** A prepared query (see {@link PreparedQuery}). */
export function prepared<DB, P extends object, O>(build: (db: Kysely<DB>, params: P) => Compilable<O>): PreparedQuery<DB, P, O> {
  return new PreparedQuery(build);
}
