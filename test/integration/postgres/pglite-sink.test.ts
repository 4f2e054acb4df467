import { describeSinkSuite } from './support/sink-suite.js';
import { openPgliteDatabase } from './support/test-database.js';

describeSinkSuite('embedded PGlite', () => openPgliteDatabase());
