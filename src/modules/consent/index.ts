export { CONSENT_SOURCES, ConsentLedger, PURPOSES, type ConsentRecord, type ConsentSource, type ConsentStatus, type Purpose, type RecordConsent } from './consent-ledger.js';
