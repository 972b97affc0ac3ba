import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n';

/** Picks the app's language; i18next remembers it (localStorage). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span className="visually-hidden">{t('nav.language')}</span>
      <select aria-label={t('nav.language')} value={i18n.resolvedLanguage ?? 'en'} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map((language) => (
          <option key={language.code} value={language.code}>
            {language.name}
          </option>
        ))}
      </select>
    </label>
  );
}
