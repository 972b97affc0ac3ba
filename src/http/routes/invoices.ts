import type { FastifyInstance } from 'fastify';
import type { InvoiceInput } from '../../modules/invoices/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const money = { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 20 }], description: 'BRL, a number or a dot-decimal string ("1234.50")' } as const;
const text = (maxLength: number, description?: string) => ({ type: 'string', maxLength, ...(description ? { description } : {}) }) as const;
const party = (documentDescription: string) =>
  ({
    type: 'object',
    required: ['name'],
    properties: {
      name: text(100),
      document: text(32, documentDescription),
      address: text(200),
      email: text(200),
      phone: text(32, 'International format (+5511988887777); national Brazilian numbers are read in BR'),
    },
  }) as const;

const createBody = {
  type: 'object',
  required: ['number', 'due_date', 'seller', 'customer', 'items'],
  properties: {
    number: text(40, 'The invoice number, unique in the workspace'),
    issue_date: text(10, 'YYYY-MM-DD; default today'),
    due_date: text(10, 'YYYY-MM-DD, not before issue_date'),
    seller: party('CPF or CNPJ (required), check digits verified'),
    customer: party('CPF or CNPJ (optional), check digits verified'),
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['description', 'unit_price'],
        properties: { description: text(200), quantity: { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 20 }], description: 'Default 1; up to 3 decimal places' }, unit_price: money },
      },
    },
    discount: money,
    shipping: money,
    total: { ...money, description: 'Optional check: when given it must equal the total Conversa computes' },
    notes: text(1000),
    pix: {
      type: 'object',
      required: ['key', 'merchant_city'],
      description: 'Print a Pix QR and "copia e cola" code for the total on the invoice',
      properties: { key: text(100), merchant_name: text(100, 'Default: the seller name'), merchant_city: text(100), txid: text(100, 'Default: the invoice number without punctuation'), description: text(100) },
    },
  },
} as const;

const partyView = s.object({ name: s.string, document: s.string, address: s.string, email: s.string, phone: s.string });
const invoiceSchema = s.object(
  {
    id: s.string,
    number: s.string,
    issue_date: s.string,
    due_date: s.string,
    currency: { type: 'string', enum: ['BRL'] },
    seller: partyView,
    customer: partyView,
    items: { type: 'array', items: s.object({ description: s.string, quantity: s.string, unit_price: s.string, total: s.string }) },
    subtotal: s.string,
    discount: s.string,
    shipping: s.string,
    total: s.string,
    total_formatted: s.string,
    notes: s.string,
    media_id: { type: 'string', description: 'The PDF in the media library' },
    filename: s.string,
    pix: s.object({ code: s.string, qr_media_id: s.string }),
    payment_link: s.string,
    created_at: s.dateTime,
  },
  'An invoice',
);

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** `POST /api/v1/invoices`, `GET /api/v1/invoices/{id}`, `GET /api/v1/invoices/{id}/pdf`. */
export function registerInvoiceRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'invoices'>): void {
  app.post<{ Body: InvoiceInput }>(
    '/invoices',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['invoices'],
        summary: 'Create an invoice and its PDF',
        description:
          'Checks the invoice, computes line totals, subtotal and total, renders the PDF (with a Pix QR when `pix` is given) and stores it as media. Answers 201 with `media_id`: send it as {"type":"document","document":{"id": media_id}} or as a template DOCUMENT header. 422 CONVERSA_ERR_INVALID_INVOICE names the field and the rule; 409 when the number exists.',
        body: createBody,
        response: responses({ 201: invoiceSchema, 409: ['CONVERSA_ERR_CONFLICT'], 422: ['CONVERSA_ERR_INVALID_INVOICE'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const result = await deps.invoices.create(workspaceId, request.body);
      if (!result.ok) {
        if (result.reason === 'duplicate') {
          return sendError(reply, 'CONVERSA_ERR_CONFLICT', `number: invoice ${request.body.number as string} already exists (${result.existingId}).`, { field: 'body.number', rule: 'must be unique in the workspace', invoice_id: result.existingId });
        }
        const field = `body.${result.field}`;
        return sendError(reply, 'CONVERSA_ERR_INVALID_INVOICE', `${field}: ${result.rule}`, { field, rule: result.rule, reason: result.code });
      }
      return reply.code(201).send(result.invoice);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/invoices/:id',
    { onRequest: app.requireScope('messages:read'), schema: { tags: ['invoices'], summary: 'An invoice with its items, totals, PDF media id and Pix code', params: idParams, response: responses({ 200: invoiceSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const invoice = await deps.invoices.get(principalOf(request).workspaceId, request.params.id);
      return invoice ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No invoice ${request.params.id}.`);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/invoices/:id/pdf',
    { onRequest: app.requireScope('messages:read'), schema: { tags: ['invoices'], summary: "The invoice's PDF", params: idParams, response: responses({ 200: s.file(['application/pdf'], 'The PDF'), 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const found = await deps.invoices.pdf(principalOf(request).workspaceId, request.params.id);
      if (!found) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No invoice ${request.params.id}.`);
      const name = found.invoice.filename;
      return reply
        .header('content-type', 'application/pdf')
        .header('content-length', found.data.length)
        .header('content-disposition', `inline; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .send(found.data);
    },
  );
}
