import { createContext, useContext } from 'react';
import type { Realtime } from './realtime';
import type { Session } from './types';

export interface AppContextValue {
  realtime: Realtime;
  session: Session;
  /** Opens the keyboard shortcuts dialog. */
  showHelp: () => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

/** The signed-in shell's context: the live link and the session. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in shell');
  return value;
}
