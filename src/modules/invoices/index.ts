export { INVOICE_LIMITS, checkInvoice, type InvoiceCheck, type InvoiceData, type InvoiceInput, type InvoiceLine, type InvoiceRejectionCode, type Party } from './invoice-input.js';
export { renderInvoicePdf, winAnsi, type InvoicePdfOptions } from './invoice-pdf.js';
export { Invoices, type CreateInvoiceResult, type InvoiceMediaStore, type InvoiceView } from './invoices.js';
export { centsToDecimal, formatBrl, formatDatePtBr, formatQuantity, lineCents, parseCents, parseQuantityMilli } from './money.js';
