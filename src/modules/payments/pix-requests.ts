import { parsePixCode } from './parse-pix-code.js';
import { buildPaymentLink, paymentLinkPlaceholders } from './payment-link.js';
import { buildPixCode, type PixCodeField, type PixCodeInput, type PixCodeRejectionCode } from './pix.js';
import { pixQrPng } from './pix-qr.js';

/** Where QR images go: the media library's upload (a narrow port, easy to fake). */
export interface QrMediaStore {
  upload(workspaceId: string, input: { data: Buffer; declaredType?: string | undefined; filename?: string | undefined }): Promise<{ ok: true; media: { id: string } } | { ok: false; error: { message: string } }>;
}

/** A Pix payment request ready to send: the code, its QR stored as media, the payment link. */
export interface PixRequest {
  /** The BR Code, "Pix copia e cola". */
  code: string;
  /** The QR of the code as a PNG in the media library (send it as an image, or a template's IMAGE header). */
  qrMediaId: string;
  /** The QR's bytes, for callers that print it (invoices). */
  qrPng: Buffer;
  /** The configured link pattern filled in; absent without a pattern or when it needs a value this request lacks. */
  paymentLink?: string;
  /** The amount as written in the code ("1234.50"), absent for an open amount. */
  amount?: string;
  txid: string;
}

export type PixRequestResult = { ok: true; request: PixRequest } | { ok: false; field: PixCodeField; code: PixCodeRejectionCode; rule: string };

/** Values a payment link pattern may name, beside those its caller adds (`invoice_number`, `invoice_id`). */
export const PAYMENT_LINK_VALUES = ['txid', 'amount', 'code', 'invoice_number', 'invoice_id'] as const;

/**
 * Makes Pix payment requests: the static BR Code (buildPixCode), its QR PNG stored as outbound
 * media so a message can name it by id, and the payment link from the configured pattern
 * (CONVERSA_PAYMENT_LINK_PATTERN), filled with `{txid}`, `{amount}`, `{code}` and whatever the
 * caller adds.
 */
export class PixRequests {
  constructor(
    private readonly media: QrMediaStore,
    /** The payment link pattern; undefined when none is configured. */
    private readonly linkPattern: string | undefined,
  ) {
    if (linkPattern !== undefined) {
      const checked = paymentLinkPlaceholders(linkPattern);
      if (!checked.ok) throw new Error(`payment link pattern ${checked.rule}`);
    }
  }

  /**
   * Builds the code, stores its QR and fills the payment link. Bad input comes back as
   * `{ ok: false, field, code, rule }` naming buildPixCode's field (`merchantCity`, `amount`...).
   */
  async create(workspaceId: string, input: PixCodeInput, linkValues: Record<string, string> = {}): Promise<PixRequestResult> {
    const built = buildPixCode(input);
    if (!built.ok) return built;
    const code = built.code;
    const qrPng = await pixQrPng(code);
    const txid = input.txid?.trim() || '***';
    const stored = await this.media.upload(workspaceId, { data: qrPng, declaredType: 'image/png', filename: `pix-${txid === '***' ? 'qr' : txid}.png` });
    if (!stored.ok) throw new Error(`storing the Pix QR failed: ${stored.error.message}`);
    const parsed = parsePixCode(code);
    const amount = parsed.ok ? parsed.fields.amount : undefined;
    const request: PixRequest = { code, qrMediaId: stored.media.id, qrPng, txid, ...(amount ? { amount } : {}) };
    const link = this.paymentLink({ ...linkValues, code, txid, ...(amount ? { amount } : {}) });
    if (link) request.paymentLink = link;
    return { ok: true, request };
  }

  /**
   * The configured pattern filled with `values`; undefined without a pattern, or when the
   * pattern names a value that is absent (a `{amount}` link for an open-amount code).
   */
  paymentLink(values: Record<string, string>): string | undefined {
    if (this.linkPattern === undefined) return undefined;
    const usable = Object.fromEntries(Object.entries(values).filter(([name, value]) => value !== '' && !(name === 'txid' && value === '***')));
    const link = buildPaymentLink(this.linkPattern, usable);
    return link.ok ? link.url : undefined;
  }
}
