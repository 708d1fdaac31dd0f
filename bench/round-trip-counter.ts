/**
 * Counts what the process sends to PostgreSQL, on the client side: every `pg` query call is one
 * round trip (a parameterized statement is parse, bind, execute and sync in one write), and
 * transactions are counted as the server counts them (`pg_stat_database.xact_commit`): each
 * statement outside an explicit transaction is one, an explicit `BEGIN` ... `COMMIT` is one.
 * Works without `pg_stat_statements` (which needs `shared_preload_libraries`, i.e. a restart).
 * Used by `npm run bench:round-trips` and by the test that pins a request's round trips.
 */
import pg from 'pg';

export interface RoundTrips {
  /** `pg` query calls: one network round trip each. */
  roundTrips: number;
  /** Transactions: autocommitted statements plus explicit BEGIN ... COMMIT/ROLLBACK blocks. */
  transactions: number;
  /** Explicit BEGIN ... COMMIT/ROLLBACK blocks among them. */
  explicit: number;
  /** Round trips by statement (its text, whitespace folded). */
  byStatement: Map<string, number>;
}

const counted: RoundTrips = { roundTrips: 0, transactions: 0, explicit: 0, byStatement: new Map() };
const inTransaction = new WeakSet<object>();
let installed = false;

const OPENS = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const CLOSES = /^\s*(COMMIT|ROLLBACK|END)\s*;?\s*$/i;

function note(client: object, text: string): void {
  counted.roundTrips++;
  const shape = text.replace(/\s+/g, ' ').trim();
  counted.byStatement.set(shape, (counted.byStatement.get(shape) ?? 0) + 1);
  if (OPENS.test(text)) {
    inTransaction.add(client);
    // A simple-protocol string may open and close in one round trip.
    if (/;\s*COMMIT\s*;?\s*$/i.test(text)) {
      inTransaction.delete(client);
      counted.transactions++;
      counted.explicit++;
    }
  } else if (CLOSES.test(text)) {
    if (inTransaction.delete(client)) {
      counted.transactions++;
      counted.explicit++;
    }
  } else if (!inTransaction.has(client)) {
    counted.transactions++;
  }
}

/** Starts counting every query of every `pg` client in this process (idempotent). */
export function countRoundTrips(): void {
  if (installed) return;
  installed = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]): unknown {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : undefined;
    if (text !== undefined) note(this, text);
    return original.apply(this, args);
  };
}

/** A copy of the counts so far (subtract two with `since`). */
export function roundTripsSoFar(): RoundTrips {
  return { ...counted, byStatement: new Map(counted.byStatement) };
}

/** What was counted after `before`. */
export function roundTripsSince(before: RoundTrips): RoundTrips {
  const byStatement = new Map<string, number>();
  for (const [k, v] of counted.byStatement) {
    const d = v - (before.byStatement.get(k) ?? 0);
    if (d > 0) byStatement.set(k, d);
  }
  return {
    roundTrips: counted.roundTrips - before.roundTrips,
    transactions: counted.transactions - before.transactions,
    explicit: counted.explicit - before.explicit,
    byStatement,
  };
}
