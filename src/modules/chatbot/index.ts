export { Chatbot, customerMessage, fold, pickFlow, type BotView, type ChatbotDeps, type CollectedPort, type OwnershipPort, type RunView } from './chatbot.js';
export { BotTasks, type BotTaskDeps } from './bot-tasks.js';
export { DEMO_FLOW_FILE, publishDemoFlow } from './demo.js';
export { Flows, SECRET_NAME, type CompiledVersion, type FlowOutcome, type FlowVersionView, type FlowView } from './flows.js';
export * from './document/index.js';
export type { EngineContext, EngineEvent, EngineOutput, RunEngine, SessionState } from './engine/types.js';
