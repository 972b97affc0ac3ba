export { CONTACT_LIMITS, Contacts, type ContactEvents, type ContactsCreated, type ContactInput, type ContactView, type InboundSender } from './contacts.js';
export { normalizePhone, phoneKeys, isPhoneCountry, type PhoneNormalization } from './phone.js';
export { importContacts, MAX_REPORTED_ERRORS, type ContactImportReport, type ImportContactsInput } from './import-contacts.js';
