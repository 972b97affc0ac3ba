import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from './api';

/** An error as the server said it: its message, and how to fix it when known. */
export function ErrorNote({ error, className }: { error: unknown; className?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const { message, fix, code } = describeError(error);
  return (
    <div className={`error-note ${className ?? ''}`} role="alert">
      <strong>{message}</strong>
      {fix ? <span className="fix"> {t('common.fix')}: {fix}</span> : null}
      {code && code !== 'NETWORK' ? <small className="code">{code}</small> : null}
    </div>
  );
}

/** A modal dialog (native <dialog>): Escape closes it, focus moves into it. */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const { t } = useTranslation();
  return (
    <dialog ref={ref} aria-label={title} onClose={onClose} className="dialog">
      <header>
        <h2>{title}</h2>
        <button type="button" className="icon" aria-label={t('common.close')} onClick={onClose}>
          ×
        </button>
      </header>
      {open ? children : null}
    </dialog>
  );
}

/** Time of day, or the date for older moments, in the app's language. */
export function shortTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  const sameDay = new Date().toDateString() === date.toDateString();
  return sameDay ? date.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString(language, { day: '2-digit', month: '2-digit' });
}

/** USD micros as money. */
export function money(cost: { currency: string; amount_micros: number } | null | undefined, language: string): string {
  if (!cost) return '—';
  return new Intl.NumberFormat(language, { style: 'currency', currency: cost.currency, maximumFractionDigits: 4 }).format(cost.amount_micros / 1_000_000);
}

/** Seconds as "4 min", "1 h 5 min". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Whether a key press happened while typing somewhere (shortcuts stay out of the way then). */
export function typingInField(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
