import { describeSinkRunSuite } from './support/sink-run-suite.js';

// Each test gets its own schema on the stack's server (search_path in DATABASE_URL).
describeSinkRunSuite('the PostgreSQL server', (run) => ({ kind: 'server', schema: `sluice_sink_${run.replaceAll('-', '_')}` }));
