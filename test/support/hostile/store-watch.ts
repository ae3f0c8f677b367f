import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../src/core/db/schema.js';
import { isRecord } from './schema.js';

/** Columns a refused request may still change by design: the last use of a token that authenticated. */
const VOLATILE_COLUMNS: Record<string, readonly string[]> = { api_tokens: ['last_used_at'] };

/** Append-only tables, with the outcomes a refused request may append (denials are audited by design). */
const APPEND_ONLY: Record<string, { order: string; outcome: string; allowedOnRefusal: readonly string[] }> = {
  audit_events: { order: 'seq', outcome: 'outcome', allowedOnRefusal: ['denied', 'failure'] },
};

type Row = Record<string, unknown>;

/**
 * A table of one counter that triggers on every watched table bump (test stores only): while it
 * stands still, no watched row changed and the tables need not be read again.
 */
const CHANGE_COUNTER = 'hostile_watch_changes';

/**
 * The content of every table: rows as canonical JSON text, or the head of an append-only table,
 * and the change counter read before the rows.
 */
export interface Snapshot {
  rows: Map<string, Set<string>>;
  heads: Map<string, number>;
  counter: number;
}

export interface TableChange {
  table: string;
  added: Row[];
  removed: Row[];
}

export interface StoreChanges {
  changed: TableChange[];
  appended: { table: string; row: Row; allowedOnRefusal: boolean }[];
}

/**
 * Watches every table of the store (found by introspection, so new tables are covered) for what
 * one request wrote. Run between requests, never during one. Reading every table after every
 * request was most of the hostile-input run, and nearly every hostile request writes nothing: a
 * trigger on each table counts its writes, and the tables are read again only when the count moved.
 */
export class StoreWatch {
  private constructor(
    private readonly db: Kysely<DB>,
    private readonly tables: readonly string[],
  ) {}

  static async open(db: Kysely<DB>, engine: 'sqlite' | 'postgres'): Promise<StoreWatch> {
    const schema =
      engine === 'postgres'
        ? (await sql<{ name: string }>`select current_schema() as name`.execute(db)).rows[0]?.name
        : undefined;
    const tables = (await db.introspection.getTables()).filter(
      (t) =>
        !t.isView &&
        (schema === undefined || t.schema === schema) &&
        !t.name.startsWith('kysely_') &&
        t.name !== CHANGE_COUNTER,
    );
    if (tables.length === 0) throw new Error('the store has no tables to watch');
    await installChangeCounter(
      db,
      engine,
      tables.filter((t) => !APPEND_ONLY[t.name]),
    );
    return new StoreWatch(db, tables.map((t) => t.name).sort());
  }

  get tableNames(): readonly string[] {
    return this.tables;
  }

  /** Every table as it is now; `unchangedSince` lends its rows when the change counter has not moved. */
  async snapshot(unchangedSince?: Snapshot): Promise<Snapshot> {
    // The counter first: a write landing while the tables are read moves it, so the next
    // snapshot reads them again.
    const counter = await this.counter();
    const reuse = unchangedSince?.counter === counter;
    const rows = new Map<string, Set<string>>();
    const heads = new Map<string, number>();
    for (const table of this.tables) {
      const appendOnly = APPEND_ONLY[table];
      if (appendOnly) {
        const result = await sql<{
          head: number | string | null;
        }>`select max(${sql.ref(appendOnly.order)}) as head from ${sql.table(table)}`.execute(this.db);
        heads.set(table, Number(result.rows[0]?.head ?? 0));
      } else if (reuse) {
        rows.set(table, unchangedSince.rows.get(table)!);
      } else {
        const result = await sql<Row>`select * from ${sql.table(table)}`.execute(this.db);
        rows.set(table, new Set(result.rows.map((row) => canonicalRow(table, row))));
      }
    }
    return { rows, heads, counter };
  }

  private async counter(): Promise<number> {
    const result = await sql<{ n: number | string }>`select n from ${sql.table(CHANGE_COUNTER)}`.execute(this.db);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** What changed between `before` and now, and the snapshot of now. */
  async changesSince(before: Snapshot): Promise<{ after: Snapshot; changes: StoreChanges }> {
    const after = await this.snapshot(before);
    const changes: StoreChanges = { changed: [], appended: [] };
    for (const [table, now] of after.rows) {
      const then = before.rows.get(table) ?? new Set<string>();
      const added = [...now].filter((row) => !then.has(row));
      const removed = [...then].filter((row) => !now.has(row));
      if (added.length > 0 || removed.length > 0) {
        changes.changed.push({ table, added: added.map(parseRow), removed: removed.map(parseRow) });
      }
    }
    for (const [table, head] of after.heads) {
      const from = before.heads.get(table) ?? 0;
      if (head === from) continue;
      const spec = APPEND_ONLY[table]!;
      const result =
        await sql<Row>`select * from ${sql.table(table)} where ${sql.ref(spec.order)} > ${from} order by ${sql.ref(spec.order)}`.execute(
          this.db,
        );
      for (const row of result.rows) {
        changes.appended.push({
          table,
          row,
          allowedOnRefusal: spec.allowedOnRefusal.includes(String(row[spec.outcome])),
        });
      }
    }
    return { after, changes };
  }

  /** Ids already in the store (`id` columns and the first sequence numbers), for path parameters. */
  async knownIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const table of this.tables) {
      const appendOnly = APPEND_ONLY[table];
      const column = appendOnly ? appendOnly.order : 'id';
      const limit = appendOnly ? 2 : 12;
      try {
        const result =
          await sql<Row>`select ${sql.ref(column)} as id from ${sql.table(table)} order by ${sql.ref(column)} limit ${limit}`.execute(
            this.db,
          );
        ids.push(...result.rows.map((row) => String(row.id)));
      } catch {
        // A table without an `id` column offers no ids.
      }
    }
    return ids;
  }
}

/**
 * Creates the change counter and, on each table, triggers that bump it on every insert, delete and
 * update of a column other than a volatile one. PostgreSQL's fire once per statement, SQLite's per row.
 */
async function installChangeCounter(
  db: Kysely<DB>,
  engine: 'sqlite' | 'postgres',
  tables: readonly { name: string; columns: readonly { name: string }[] }[],
): Promise<void> {
  await sql`create table if not exists ${sql.table(CHANGE_COUNTER)} (n bigint not null)`.execute(db);
  await sql`insert into ${sql.table(CHANGE_COUNTER)} (n) values (0)`.execute(db);
  const bump = sql.raw(`update ${CHANGE_COUNTER} set n = n + 1`);
  if (engine === 'postgres') {
    await sql`create or replace function hostile_watch_bump() returns trigger language plpgsql as $$ begin ${bump}; return null; end $$`.execute(
      db,
    );
  }
  for (const table of tables) {
    const volatile = VOLATILE_COLUMNS[table.name] ?? [];
    const watched = sql.join(table.columns.filter((c) => !volatile.includes(c.name)).map((c) => sql.ref(c.name)));
    for (const [event, suffix] of [
      [sql`insert`, 'i'],
      [sql`delete`, 'd'],
      [sql`update of ${watched}`, 'u'],
    ] as const) {
      const name = sql.id(`hostile_watch_${table.name}_${suffix}`);
      await (
        engine === 'postgres'
          ? sql`create trigger ${name} after ${event} on ${sql.table(table.name)} for each statement execute function hostile_watch_bump()`
          : sql`create trigger ${name} after ${event} on ${sql.table(table.name)} begin ${bump}; end`
      ).execute(db);
    }
  }
}

function canonicalRow(table: string, row: Row): string {
  const volatile = VOLATILE_COLUMNS[table] ?? [];
  const entries = Object.entries(row)
    .filter(([column]) => !volatile.includes(column))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([column, value]) => [column, plain(value)]);
  return JSON.stringify(Object.fromEntries(entries));
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof Date) return value.toISOString();
  return value;
}

const parseRow = (text: string): Row => {
  const value: unknown = JSON.parse(text);
  return isRecord(value) ? value : {};
};

/** The participants a change touches: a participants row by its id, any other row by `participant_id`. */
export function participantsOf(change: TableChange): Set<string> {
  const out = new Set<string>();
  for (const row of [...change.added, ...change.removed]) {
    const id = change.table === 'participants' ? row.id : row.participant_id;
    if (typeof id === 'string') out.add(id);
  }
  return out;
}
