import type { InboundRouter } from '../inbound/index.js';
import type { TemplateCache } from './template-cache.js';

/**
 * Template changes from Meta (status with the rejection reason, quality, category): recorded in
 * the template's history and published as `template.status` by the cache, in the batch's
 * transaction. A change naming a template we do not have yet (made outside Conversa, or its
 * status arrived while a sync was listing it as PENDING) asks for a sync (`unknownTemplate`),
 * after the handler returns.
 */
export function registerTemplateInbound(router: InboundRouter, templates: Pick<TemplateCache, 'applyWebhook'>, unknownTemplate?: () => void): void {
  router.on('template', async (event, { workspaceId, trx }) => {
    const applied = await templates.applyWebhook(workspaceId, event.payload, trx);
    if (!applied && unknownTemplate) setImmediate(unknownTemplate);
  });
}
