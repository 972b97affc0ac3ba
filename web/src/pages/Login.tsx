import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, setCsrfToken } from '../api';
import { LanguageSwitch } from './LanguageSwitch';
import { useSession } from '../session';
import type { Session } from '../types';
import { ErrorNote } from '../ui';

/** Sign in with e-mail and password; a first login (one-time password) must choose a new one. */
export function Login() {
  const { t } = useTranslation();
  const session = useSession();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const target = params.get('next')?.startsWith('/') && !params.get('next')?.startsWith('//') ? (params.get('next') as string) : '/inbox';

  const mustChange = session.data?.user.must_change_password === true;
  if (session.data && !mustChange) return <Navigate to={target} replace />;

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const signed = await api<Session>('POST', '/session', { email, password });
      setCsrfToken(signed.csrf_token);
      queries.setQueryData(['session'], signed);
      if (!signed.user.must_change_password) navigate(target, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const change = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (next !== confirm) {
      setError(new Error(t('login.mismatch')));
      return;
    }
    setBusy(true);
    try {
      await api('POST', '/me/password', { current_password: password, new_password: next });
      await queries.invalidateQueries({ queryKey: ['session'] });
      navigate(target, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <div className="login-card">
        <h1 className="brand">Conversa</h1>
        {mustChange ? (
          <form onSubmit={change} aria-label={t('login.changeTitle')}>
            <h2>{t('login.changeTitle')}</h2>
            <p>{t('login.changeHint')}</p>
            {!password ? (
              <label>
                {t('login.currentPassword')}
                <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
              </label>
            ) : null}
            <label>
              {t('login.newPassword')}
              <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={8} />
            </label>
            <label>
              {t('login.confirmPassword')}
              <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required minLength={8} />
            </label>
            <ErrorNote error={error} />
            <button type="submit" className="primary" disabled={busy}>
              {t('login.save')}
            </button>
          </form>
        ) : (
          <form onSubmit={signIn} aria-label={t('login.title')}>
            <h2>{t('login.title')}</h2>
            <label>
              {t('login.email')}
              <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
            </label>
            <label>
              {t('login.password')}
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </label>
            <ErrorNote error={error} />
            <button type="submit" className="primary" disabled={busy}>
              {t('login.submit')}
            </button>
          </form>
        )}
        <LanguageSwitch />
      </div>
    </main>
  );
}
