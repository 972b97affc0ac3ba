import { DIALECTS } from './support/databases.js';
import { killRecoveryScenario } from './support/kill-recovery.js';

// The scenario is in test/support/kill-recovery.ts; PostgreSQL here, SQLite in test/kill-recovery.test.ts.
killRecoveryScenario(DIALECTS.filter((dialect) => dialect.name === 'postgres'));
