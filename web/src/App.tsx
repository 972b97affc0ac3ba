import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Admin } from './pages/Admin';
import { Inbox } from './pages/Inbox';
import { Login } from './pages/Login';
import { Phone } from './phone/Phone';
import { Shell } from './pages/Shell';
import { Supervisor } from './pages/Supervisor';
import { useSession } from './session';
import type { Role } from './types';
import { ErrorNote } from './ui';

/** The app's routes: /login for everyone, the rest behind a session (and a role where it says). */
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<Login />} />
      <Route element={<Signed />}>
        <Route path="/" element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox" element={<Inbox />} />
        <Route path="/inbox/:conversationId" element={<Inbox />} />
        <Route path="/supervisor" element={<Signed roles={['admin', 'supervisor']} page={<Supervisor />} />} />
        <Route path="/admin/*" element={<Signed roles={['admin']} page={<Admin />} />} />
        <Route path="/phone" element={<Phone />} />
      </Route>
      <Route path="*" element={<Navigate to="/inbox" replace />} />
    </Routes>
  );
}

/** The shell for a signed-in person; sends others to /login (and back here after). */
function Signed({ roles, page }: { roles?: Role[]; page?: React.ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (session.isPending) return <p className="loading" role="status">{t('common.loading')}</p>;
  if (session.error) return <ErrorNote error={session.error} />;
  if (!session.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (session.data.user.must_change_password) return <Navigate to="/login" replace />;
  if (page) {
    if (roles && !roles.includes(session.data.user.role)) return <p className="empty" role="alert">{t('common.forbidden')}</p>;
    return <>{page}</>;
  }
  return <Shell session={session.data} />;
}
