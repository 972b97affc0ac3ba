import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from './api';
import type { Session } from './types';

/** The signed-in person (GET /app/api/session), or null when signed out. */
export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async (): Promise<Session | null> => {
      try {
        const session = await api<Session>('GET', '/session');
        setCsrfToken(session.csrf_token);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** Signs out (DELETE /app/api/session) and forgets every cached answer. */
export function useSignOut() {
  const queries = useQueryClient();
  return async () => {
    try {
      await api('DELETE', '/session');
    } finally {
      setCsrfToken(undefined);
      queries.clear();
      queries.setQueryData(['session'], null);
    }
  };
}
