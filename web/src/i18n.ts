import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import ptBR from './locales/pt-BR.json';

/** The languages of the app: pt-BR and English, chosen by the browser, switchable, remembered. */
export const LANGUAGES = [
  { code: 'pt-BR', name: 'Português (Brasil)' },
  { code: 'en', name: 'English' },
] as const;

export const LANGUAGE_STORAGE_KEY = 'conversa.language';

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, 'pt-BR': { translation: ptBR } },
    supportedLngs: ['pt-BR', 'en'],
    fallbackLng: 'en',
    // Any Portuguese browser gets pt-BR; anything else English.
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
      convertDetectedLanguage: (language: string) => (language.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en'),
    },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

export default i18n;
