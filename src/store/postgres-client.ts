/**
 * The PostgreSQL client the pool hands out: node-postgres's own, except that the SQL of prepared queries
 * (prepared-query.ts) goes out as a named statement. The server then parses and plans each such query once
 * per connection instead of on every run — most of its work for the short statements of a refund.
 */
import pg from 'pg';
import { statementName } from './prepared-query.js';

type Callback = (error: Error, result: pg.QueryResult) => void;
type LooseQuery = (config: unknown, values?: unknown, callback?: Callback) => unknown;

export class StatementNamingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = super.query.bind(this) as LooseQuery;
    const named: LooseQuery = (config, values, callback) => {
      const name = typeof config === 'string' ? statementName(config) : undefined;
      return name === undefined ? query(config, values, callback) : query({ name, text: config, values }, callback);
    };
    this.query = named as pg.Client['query'];
  }
}
