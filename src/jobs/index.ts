export { PollingLoop } from './polling-loop.js';
export { claimDue, leaseFrom, type ClaimCapabilities, type ClaimSpec, type DueQuery, type Lease } from './claim.js';
export { backoffDelayMs, nextAttemptAt, type Backoff } from './backoff.js';
export { JobRegistry, type JobWorker } from './job-registry.js';
