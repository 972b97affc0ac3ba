import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * Issue 12's "done when", end to end: a sales group configured as a lead source; a simulated
 * customer joins it by its invite link, writes an e-mail and a CPF in it, and shows up as a lead
 * of that group in the exported XLSX, with where each field came from.
 */
describe.each(DIALECTS)('leads from a sales group on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const customer = '5511970009001';

  it('turns a participant who joins by link and writes an e-mail and a CPF into a lead in the XLSX export', async () => {
    const created = await api('POST', '/groups', { subject: 'Vendas Black Friday', join_approval_mode: 'auto_approve' });
    expect(created.status, created.text).toBe(202);
    const group = await until(async () => {
      const found = (await api('GET', `/groups/${created.body.id}`)).body;
      return found.status === 'active' && found;
    }, 'the group confirmed by Meta');
    // The group becomes a lead source by Meta's id too; it is kept by ours.
    const source = await api('PUT', '/leads/sources', { type: 'group', id: group.provider_group_id, keywords: ['notebook'] });
    expect(source.status, source.text).toBe(201);
    expect(source.body).toMatchObject({ type: 'group', id: group.id });
    expect((await api('PUT', '/leads/sources', { type: 'group', id: 'grp_nao_existe', keywords: [] })).body.error).toMatchObject({ code: 'CONVERSA_ERR_NOT_FOUND', details: { field: 'body.id' } });

    const link = (await api('GET', `/groups/${group.id}/invite-link`)).body.invite_link as string;
    expect((await running.sandbox('POST', '/sandbox/v1/phones', { wa_id: customer, name: 'Bia Compras' })).status).toBe(201);
    const joined = await running.sandbox('POST', `/sandbox/v1/phones/${customer}/groups/join`, { invite_link: link });
    expect(joined.status, joined.text).toBeLessThan(300);
    // Joining a sales group makes a lead, with no field yet.
    const lead = await until(async () => ((await api('GET', `/leads?source_type=group&source_id=${group.id}`)).body.data as Json[])[0], 'the lead of the participant who joined');
    expect(lead).toMatchObject({ source: { type: 'group', id: group.id }, contact: { wa_id: customer } });

    const wrote = await running.sandbox('POST', `/sandbox/v1/phones/${customer}/messages`, { to: group.provider_group_id, type: 'text', text: { body: 'Quero o notebook! Meu email é bia@example.com e meu cpf 529.982.247-25' } });
    expect(wrote.status, wrote.text).toBe(201);
    const filled = await until(async () => {
      const found = (await api('GET', `/leads/${lead.id}`)).body;
      return found.fields?.cpf && found;
    }, 'the fields read from the group message');
    expect(filled.fields).toMatchObject({
      email: { value: 'bia@example.com', from: 'message', rule: 'email', confidence: 'certain', message_id: expect.stringMatching(/^msg_/) },
      cpf: { value: '52998224725', from: 'message', confidence: 'certain' },
      interest: { value: ['notebook'], from: 'message' },
    });
    // The bot does not answer in a group: nothing went to the group but what the business sends.
    expect(((await api('GET', `/conversations/${group.conversation_id}/messages`)).body.data as Json[]).filter((m) => m.direction === 'out')).toEqual([]);

    const response = await running.app.http.inject({ method: 'GET', url: '/api/v1/leads/export?format=xlsx&source_type=group', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets).toHaveLength(1);
    const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const row = sheet.getRow(2);
    const cell = (name: string) => row.getCell(header.indexOf(name) + 1).value;
    expect(sheet.rowCount).toBe(2);
    expect([cell('contact_wa_id'), cell('email'), cell('email_confidence'), cell('cpf'), cell('cpf_confidence')]).toEqual([customer, 'bia@example.com', 'certain', '52998224725', 'certain']);
    expect(cell('created_at')).toBeInstanceOf(Date);
  });
});
