import { sql } from 'kysely';
import type { Database } from './database.js';

/**
 * A plain-text description of the live schema (tables, columns, indexes), stable across runs,
 * for the committed dumps in src/db/schema/ that show in review what a migration did.
 */
export async function dumpSchema(database: Database): Promise<string> {
  if (database.capabilities.singleWriter) {
    const rows = await sql<{ sql: string }>`
      select sql from sqlite_master
      where sql is not null and name not like 'sqlite_%' and name not like 'kysely_%'
      order by type desc, name`.execute(database.db);
    return `${rows.rows.map((row) => `${row.sql.replace(/\s+/g, ' ').trim()};`).join('\n')}\n`;
  }
  const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name, ordinal_position`.execute(database.db);
  const indexes = await sql<{ indexdef: string }>`
    select indexdef from pg_indexes
    where schemaname = current_schema() and tablename not like 'kysely_%'
    order by indexname`.execute(database.db);
  const lines: string[] = [];
  let table = '';
  for (const column of columns.rows) {
    if (column.table_name !== table) {
      table = column.table_name;
      lines.push(`table ${table}`);
    }
    const nullable = column.is_nullable === 'YES' ? '' : ' not null';
    const fallback = column.column_default ? ` default ${column.column_default}` : '';
    lines.push(`  ${column.column_name} ${column.data_type}${nullable}${fallback}`);
  }
  for (const index of indexes.rows) lines.push(`${index.indexdef.replace(/ ON [a-z_]+\./, ' ON ')};`);
  return `${lines.join('\n')}\n`;
}
