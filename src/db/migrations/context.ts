import type { ColumnDefinitionBuilder } from 'kysely';

/**
 * The few places where the two dialects' DDL differs, handed to every migration so that the
 * migrations themselves never ask which database they run on.
 */
export interface MigrationContext {
  /** Column type of an auto-incrementing integer key. */
  readonly serialType: 'integer' | 'bigserial';
  /** Applies the dialect's auto-increment modifier (SQLite needs one; bigserial needs none). */
  readonly autoIncrement: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /**
   * The statements of a trigger that refuses every UPDATE of `table` with `message` (an
   * append-only table): `BEFORE UPDATE ... RAISE(ABORT)` on SQLite, a PL/pgSQL function and a
   * row trigger on PostgreSQL. Dropping the table drops the trigger.
   */
  readonly refuseUpdates: (table: string, message: string) => string[];
}

export const SQLITE_MIGRATION_CONTEXT: MigrationContext = {
  serialType: 'integer',
  autoIncrement: (column) => column.autoIncrement(),
  refuseUpdates: (table, message) => [`create trigger ${table}_refuse_update before update on ${table} begin select raise(abort, '${sqlText(message)}'); end`],
};

export const POSTGRES_MIGRATION_CONTEXT: MigrationContext = {
  serialType: 'bigserial',
  autoIncrement: (column) => column,
  refuseUpdates: (table, message) => [
    `create or replace function ${table}_refuse_update() returns trigger language plpgsql as $$ begin raise exception '${sqlText(message)}' using errcode = 'restrict_violation'; end $$`,
    `create trigger ${table}_refuse_update before update on ${table} for each row execute function ${table}_refuse_update()`,
  ],
};

// The message goes into a quoted SQL literal: a quote is doubled.
function sqlText(text: string): string {
  return text.replace(/'/g, "''");
}
