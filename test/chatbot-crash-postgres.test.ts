import { DIALECTS } from './support/databases.js';
import { chatbotCrashScenario } from './support/chatbot-crash.js';

// The scenario is in test/support/chatbot-crash.ts; PostgreSQL here, SQLite in test/chatbot-crash.test.ts.
chatbotCrashScenario(DIALECTS.filter((dialect) => dialect.name === 'postgres'));
