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
}

export const SQLITE_MIGRATION_CONTEXT: MigrationContext = {
  serialType: 'integer',
  autoIncrement: (column) => column.autoIncrement(),
};

export const POSTGRES_MIGRATION_CONTEXT: MigrationContext = {
  serialType: 'bigserial',
  autoIncrement: (column) => column,
};
