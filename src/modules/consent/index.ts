export { CONSENT_SOURCES, ConsentLedger, PURPOSES, type ConsentRecord, type ConsentSource, type ConsentStatus, type Purpose, type RecordConsent } from './consent-ledger.js';
export { OPT_IN_LANGUAGES, optInConsentText, optInGreeting, type OptInLanguage } from './opt-in-text.js';
export { registerPreferencesInbound, type PreferenceContacts } from './preferences-inbound.js';
