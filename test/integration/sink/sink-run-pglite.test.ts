import { describeSinkRunSuite } from './support/sink-run-suite.js';

// No DATABASE_URL and the default server URL pointed at a closed port: `sluice run` falls back to PGlite under .sluice/pglite.
describeSinkRunSuite('embedded PGlite (the default without a server)', () => ({ kind: 'pglite' }));
