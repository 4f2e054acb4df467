// A process holding an embedded database, for the lock tests: opens it as `sluice run` does,
// then commits numbered transactions of ten rows until its stdin closes, printing each commit.
import { sql } from 'kysely';
import { openDatabase } from '../../../../src/sinks/postgres/open-database.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: pglite-holder <pglite dir>');
let opened;
try {
  opened = await openDatabase({ defaultDatabaseUrl: 'postgres://postgres@127.0.0.1:1/postgres', pgliteDir: dir, probeTimeoutMs: 500 });
} catch (error) {
  process.stdout.write(`${JSON.stringify({ refused: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(3);
}
const { db } = opened;
await sql`create table if not exists txns (n int not null, i int not null)`.execute(db);
const { rows } = await sql<{ next: number }>`select coalesce(max(n) + 1, 0)::int as next from txns`.execute(db);
process.stdout.write(`${JSON.stringify({ opened: process.pid, next: rows[0]?.next ?? 0 })}\n`);
let stopping = false;
process.stdin.on('end', () => (stopping = true)).resume();
for (let n = rows[0]?.next ?? 0; !stopping; n++) {
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < 10; i++) await sql`insert into txns (n, i) values (${n}, ${i})`.execute(tx);
  });
  process.stdout.write(`${JSON.stringify({ committed: n })}\n`);
  // PGlite answers without I/O: without a turn of the event loop, stdin's end would never be seen.
  await new Promise((resolve) => setImmediate(resolve));
}
await opened.close();
process.stdout.write(`${JSON.stringify({ closed: true })}\n`);
