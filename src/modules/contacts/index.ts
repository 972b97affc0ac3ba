export { Contacts, type ContactInput, type ContactView } from './contacts.js';
export { normalizePhone, phoneKeys, isPhoneCountry, type PhoneNormalization } from './phone.js';
