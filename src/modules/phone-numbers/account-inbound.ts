import type { Logger } from 'pino';
import type { InboundRouter } from '../inbound/index.js';

/**
 * Changes about the WABA or its numbers (`account_update`, `phone_number_quality_update`,
 * `phone_number_name_update`, …): the numbers' state (quality, tier, throughput) is read again
 * from the Graph API by the refresh loop (`refresh`, woken after the handler returns) rather
 * than trusted from the webhook's partial view. The change itself stays in `inbound_events`.
 */
export function registerAccountInbound(router: InboundRouter, deps: { refresh: () => void; logger: Logger }): void {
  router.on('account_update', async (event, { workspaceId }) => {
    deps.logger.info({ workspaceId, field: event.payload.field, event: (event.payload.value as { event?: unknown }).event }, 'account update from Meta; refreshing the numbers');
    setImmediate(deps.refresh);
  });
}
