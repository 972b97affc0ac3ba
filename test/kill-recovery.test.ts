import { DIALECTS } from './support/databases.js';
import { killRecoveryScenario } from './support/kill-recovery.js';

// The scenario is in test/support/kill-recovery.ts; SQLite here, PostgreSQL in test/kill-recovery-postgres.test.ts.
killRecoveryScenario(DIALECTS.filter((dialect) => dialect.name === 'sqlite'));
