import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

interface PixBody {
  key: string;
  amount?: number | string;
  merchant_name: string;
  merchant_city: string;
  txid?: string;
  description?: string;
  postal_code?: string;
}

const pixBody = {
  type: 'object',
  required: ['key', 'merchant_name', 'merchant_city'],
  properties: {
    key: { type: 'string', maxLength: 100, description: 'Pix key: CPF, CNPJ, e-mail, +55 phone or random key (EVP)' },
    amount: { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 20 }], description: 'BRL ("1234.50"); omit to let the payer type it' },
    merchant_name: { type: 'string', maxLength: 100, description: 'At most 25 characters once accents are removed' },
    merchant_city: { type: 'string', maxLength: 100, description: 'At most 15 characters once accents are removed' },
    txid: { type: 'string', maxLength: 100, description: 'Up to 25 letters and digits, to reconcile the payment' },
    description: { type: 'string', maxLength: 100 },
    postal_code: { type: 'string', maxLength: 16, description: 'CEP, 8 digits' },
  },
} as const;

/** buildPixCode's field names as the API spells them. */
const FIELD_NAMES: Record<string, string> = { key: 'key', merchantName: 'merchant_name', merchantCity: 'merchant_city', amount: 'amount', txid: 'txid', description: 'description', postalCode: 'postal_code' };

/** `POST /api/v1/pix`: a Pix "copia e cola" code, its QR image stored as media, and the payment link. */
export function registerPaymentRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'pix'>): void {
  app.post<{ Body: PixBody }>(
    '/pix',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['payments'],
        summary: 'Make a Pix payment request (BR Code, QR, payment link)',
        description:
          'Answers 201 {code, qr_media_id, payment_link?, amount?, txid}: `code` is the static BR Code ("Pix copia e cola"), `qr_media_id` its QR as a PNG in the media library (send it as an image or a template IMAGE header), `payment_link` the configured CONVERSA_PAYMENT_LINK_PATTERN filled in. 422 CONVERSA_ERR_INVALID_PIX names the field and the rule.',
        body: pixBody,
        response: responses({
          201: s.object({ code: { type: 'string', description: 'The BR Code ("Pix copia e cola")' }, qr_media_id: s.string, payment_link: s.string, amount: s.string, txid: s.string }, 'The payment request'),
          422: ['CONVERSA_ERR_INVALID_PIX'],
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await deps.pix.create(principalOf(request).workspaceId, {
        key: body.key,
        merchantName: body.merchant_name,
        merchantCity: body.merchant_city,
        amount: body.amount,
        txid: body.txid,
        description: body.description,
        postalCode: body.postal_code,
      });
      if (!result.ok) {
        const field = `body.${FIELD_NAMES[result.field] ?? result.field}`;
        return sendError(reply, 'CONVERSA_ERR_INVALID_PIX', `${field}: ${result.rule}`, { field, rule: result.rule, reason: result.code });
      }
      const { code, qrMediaId, paymentLink, amount, txid } = result.request;
      return reply.code(201).send({ code, qr_media_id: qrMediaId, ...(paymentLink ? { payment_link: paymentLink } : {}), ...(amount ? { amount } : {}), txid });
    },
  );
}
