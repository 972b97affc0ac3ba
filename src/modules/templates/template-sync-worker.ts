import type { Logger } from 'pino';
import { PollingLoop } from '../../jobs/index.js';
import type { TemplateService } from './template-service.js';

/**
 * Syncs every WABA's templates with the provider every `intervalMs` (CONVERSA_TEMPLATE_SYNC_SECONDS),
 * so statuses stay current even when a status webhook was missed, and templates created in
 * WhatsApp Manager appear. The first pass runs at start; `wake()` runs one now.
 */
export function templateSyncLoop(service: TemplateService, intervalMs: number, logger: Logger): PollingLoop {
  return PollingLoop.every(intervalMs, logger, 'template sync', async () => {
    await service.syncAll((wabaId, error) => logger.warn({ waba_id: wabaId, code: error.code, message: error.message }, 'template sync failed for a WABA; retrying at the next pass'));
  });
}
