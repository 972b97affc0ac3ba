import type { TemplateSendComponent } from '../../whatsapp/index.js';
import type { CampaignDeps } from './deps.js';
import type { CampaignTemplate } from './recipient-decision.js';

/**
 * The campaign's template as the policy check needs it: the WABA's known templates with that
 * name from the local copy, synced from the provider first when none is known (as a send does).
 */
export async function loadCampaignTemplate(
  deps: Pick<CampaignDeps, 'templates' | 'phoneNumbers' | 'client'>,
  input: { workspaceId: string; phoneNumberRowId: string; name: string; language: string; components: TemplateSendComponent[] },
  options: { sync?: boolean } = {},
): Promise<CampaignTemplate> {
  const sender = await deps.phoneNumbers.sender(input.phoneNumberRowId);
  const wabaId = sender?.wabaId ?? '';
  let templates = await deps.templates.byName(input.workspaceId, wabaId, input.name);
  if (templates.length === 0 && sender && options.sync !== false) {
    const synced = await deps.templates.syncFromProvider(input.workspaceId, wabaId, () => deps.client.listTemplates(sender.endpoint, wabaId));
    if (synced.ok) templates = await deps.templates.byName(input.workspaceId, wabaId, input.name);
  }
  return { name: input.name, language: input.language, components: input.components, templates };
}
