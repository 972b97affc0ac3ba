export { crc16CcittFalse, crc16Hex } from './crc16.js';
export { parsePixCode, type EmvDataObject, type ParsedPixCode, type PixCodeFields, type PixParseRejectionCode } from './parse-pix-code.js';
export { buildPaymentLink, paymentLinkPlaceholders, type PaymentLinkRejectionCode, type PaymentLinkResult } from './payment-link.js';
export { isValidCnpj, isValidCpf, normalizePixKey, type PixKeyNormalization, type PixKeyRejectionCode, type PixKeyType } from './pix-key.js';
export { pixQrPng, pixQrSvg, type PixQrOptions } from './pix-qr.js';
export { PIX_GUI, PIX_LIMITS, buildPixCode, formatPixAmount, toPixText, type PixCodeField, type PixCodeInput, type PixCodeRejectionCode, type PixCodeResult } from './pix.js';
export { PAYMENT_LINK_VALUES, PixRequests, type PixRequest, type PixRequestResult, type QrMediaStore } from './pix-requests.js';
