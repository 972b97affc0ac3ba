import type { Logger } from 'pino';
import { PollingLoop } from '../../jobs/index.js';
import type { TemplateService } from './template-service.js';

/**
 * Syncs every WABA's templates with the provider every `intervalMs` (CONVERSA_TEMPLATE_SYNC_SECONDS),
 * so statuses stay current even when a status webhook was missed, and templates created in
 * WhatsApp Manager appear. The first pass runs at start.
 */
export class TemplateSyncWorker {
  readonly #loop: PollingLoop;

  constructor(service: TemplateService, intervalMs: number, logger: Logger) {
    this.#loop = new PollingLoop(
      async () => {
        await service.syncAll((wabaId, error) => logger.warn({ waba_id: wabaId, code: error.code, message: error.message }, 'template sync failed for a WABA; retrying at the next pass'));
        // Never "work done": the loop waits the full interval between passes.
        return 0;
      },
      intervalMs,
      logger,
      'template sync',
    );
  }

  start(): void {
    this.#loop.start();
  }

  /** Runs a pass now instead of at the next interval. */
  wake(): void {
    this.#loop.wake();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }
}
