import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectorError, ErrorCode } from '../core/errors';

/** One background connector started by `connector deploy start`. */
export interface BackgroundConnector {
  name: string;
  pid: number;
  /** Absolute path of the config it runs. */
  config: string;
  /** Absolute path of its log file. */
  logFile: string;
  /** Start time, ms since epoch. */
  startedAt: number;
}

/**
 * The index of background connectors (Fluvio's `fluvio_cdk_deploy_index.toml`), kept in SQLite at
 * `<dataDir>/deployments.db` (file and table names kept from earlier versions, so connectors started
 * by them stay listed) so that concurrent `deploy` commands cannot both start one name.
 */
export class BackgroundIndex {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'deployments.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 30000');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS deployments (name TEXT PRIMARY KEY, pid INTEGER NOT NULL, config TEXT NOT NULL, log_file TEXT NOT NULL, started_at INTEGER NOT NULL)',
    );
  }

  /** Runs `fn` inside an exclusive write transaction (other deploy commands wait), committing on success. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  get(name: string): BackgroundConnector | undefined {
    const row = this.db.prepare('SELECT name, pid, config, log_file AS logFile, started_at AS startedAt FROM deployments WHERE name = ?').get(name);
    return row as BackgroundConnector | undefined;
  }

  /** @throws ConnectorError CONNECTOR_NOT_FOUND (`Connector not found: NAME`) when there is none. */
  require(name: string): BackgroundConnector {
    const d = this.get(name);
    if (!d) throw new ConnectorError(`Connector not found: ${name}`, ErrorCode.CONNECTOR_NOT_FOUND);
    return d;
  }

  list(): BackgroundConnector[] {
    return this.db.prepare('SELECT name, pid, config, log_file AS logFile, started_at AS startedAt FROM deployments ORDER BY name').all() as BackgroundConnector[];
  }

  put(d: BackgroundConnector): void {
    this.db
      .prepare('INSERT OR REPLACE INTO deployments (name, pid, config, log_file, started_at) VALUES (?, ?, ?, ?, ?)')
      .run(d.name, d.pid, d.config, d.logFile, d.startedAt);
  }

  remove(name: string): void {
    this.db.prepare('DELETE FROM deployments WHERE name = ?').run(name);
  }

  close(): void {
    this.db.close();
  }
}

/** Whether a process with this pid is alive (signal 0 probe). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
