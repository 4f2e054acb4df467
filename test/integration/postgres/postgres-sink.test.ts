import { describeSinkSuite } from './support/sink-suite.js';
import { openServerDatabase } from './support/test-database.js';

describeSinkSuite('a PostgreSQL server', () => openServerDatabase('sink'));
