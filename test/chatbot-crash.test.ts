import { DIALECTS } from './support/databases.js';
import { chatbotCrashScenario } from './support/chatbot-crash.js';

// The scenario is in test/support/chatbot-crash.ts; SQLite here, PostgreSQL in test/chatbot-crash-postgres.test.ts.
chatbotCrashScenario(DIALECTS.filter((dialect) => dialect.name === 'sqlite'));
