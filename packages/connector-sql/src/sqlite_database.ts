import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { PermanentError } from '@eddy/connector';
import type { OffsetKey, SqlDatabase } from './sql_database.ts';
import { lastPerKey, quoteName, type OperationGroup, type SqlType } from './sql_operation.ts';

/**
 * SQLite through node:sqlite (no native dependency). Each batch is one transaction of prepared
 * statements (cached per shape); values are converted to SQLite's storage classes by type.
 */
export class SqliteDatabase implements SqlDatabase {
  private readonly db: DatabaseSync;
  private readonly offsetsTable: string | null;
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string, offsetsTable: string | null) {
    try {
      this.db = new DatabaseSync(path);
      // WAL: a commit is one append; a crash leaves the last committed transaction intact.
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000');
    } catch (err) {
      throw new PermanentError(`SQLite '${path}': ${(err as Error).message}`);
    }
    this.offsetsTable = offsetsTable === null ? null : quoteName(offsetsTable);
    if (this.offsetsTable !== null) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${this.offsetsTable} (consumer TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, PRIMARY KEY (consumer, topic, partition))`);
    }
  }

  async loadOffsets(consumer: string, topic: string): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (this.offsetsTable === null) return out;
    const rows = this.db.prepare(`SELECT partition, next_offset FROM ${this.offsetsTable} WHERE consumer = ? AND topic = ?`).all(consumer, topic);
    for (const r of rows) out.set(Number(r.partition), Number(r.next_offset));
    return out;
  }

  async write(groups: readonly OperationGroup[], key: OffsetKey, next: number | null): Promise<void> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const g of groups) {
        const stmt = this.statement(g);
        const row: SQLInputValue[] = new Array(g.columns.length);
        const values = lastPerKey(g);
        for (let r = 0; r < values.length; r += row.length) {
          for (let i = 0; i < row.length; i++) row[i] = toSqlite(values[r + i], g.types[i]);
          stmt.run(...row);
        }
      }
      if (next !== null && this.offsetsTable !== null) {
        this.cached(`offsets`, () => `INSERT INTO ${this.offsetsTable!} (consumer, topic, partition, next_offset) VALUES (?, ?, ?, ?) ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`)
          .run(key.consumer, key.topic, key.partition, next);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      try { this.db.exec('ROLLBACK'); } catch { /* no transaction left */ }
      const msg = (err as Error).message;
      // Locked or busy: another writer; retried. Anything else (no such table, constraint, ...) is permanent.
      if (/SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(msg)) throw err;
      throw new PermanentError(`SQLite: ${msg}`, { cause: err });
    }
  }

  private statement(g: OperationGroup): StatementSync {
    const shape = `${g.kind}\0${g.table}\0${g.uniqIdx}\0${g.columns.join('\0')}`;
    return this.cached(shape, () => {
      const cols = g.columns.map(quoteName);
      let sql = `INSERT INTO ${quoteName(g.table)} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
      if (g.kind === 'upsert') {
        const updates = cols.filter((_, i) => g.columns[i] !== g.uniqIdx).map((c) => `${c} = excluded.${c}`);
        sql += ` ON CONFLICT (${quoteName(g.uniqIdx)}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
      }
      return sql;
    });
  }

  private cached(key: string, sql: () => string): StatementSync {
    let s = this.statements.get(key);
    if (s === undefined) {
      s = this.db.prepare(sql());
      this.statements.set(key, s);
    }
    return s;
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db.close();
  }
}

/** A raw (text) value as SQLite stores the type (Fluvio's SQLite mapping: integers, REAL, TEXT, BLOB). */
function toSqlite(raw: string, type: SqlType): SQLInputValue {
  switch (type) {
    case 'Bool': return raw === 'true' || raw === 't' || raw === '1' ? 1 : 0;
    case 'Char': case 'SmallInt': case 'Int': return Number.parseInt(raw, 10);
    case 'BigInt': { const n = BigInt(raw); return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n; }
    case 'Float': case 'DoublePrecision': case 'Numeric': return Number(raw);
    case 'Bytes': return Buffer.from(raw, 'utf8');
    default: return raw;
  }
}
