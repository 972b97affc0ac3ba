import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router';
import { api } from '../api';
import type { Role, Team, User } from '../types';
import { ErrorNote } from '../ui';

const ROLES: Role[] = ['agent', 'supervisor', 'admin'];
const STRATEGIES = ['manual', 'round_robin', 'least_busy'] as const;
type Strategy = (typeof STRATEGIES)[number];

/** Users (create with a one-time password shown once, role, teams, capacity) and teams (name, queue, members). */
export function Admin() {
  const { t } = useTranslation();
  return (
    <main className="page admin">
      <h1>{t('admin.title')}</h1>
      <nav className="subnav" aria-label={t('admin.title')}>
        <NavLink to="/admin" end>
          {t('admin.users')}
        </NavLink>
        <NavLink to="/admin/teams">{t('admin.teams')}</NavLink>
        <NavLink to="/admin/assignment">{t('assignment.title')}</NavLink>
      </nav>
      <Routes>
        <Route index element={<Users />} />
        <Route path="teams" element={<Teams />} />
        <Route path="assignment" element={<Assignment />} />
      </Routes>
    </main>
  );
}

function useTeams() {
  return useQuery({ queryKey: ['teams'], queryFn: () => api<{ data: Team[] }>('GET', '/teams') });
}

function Users() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ data: User[] }>('GET', '/users') });
  const teams = useTeams();
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' as Role, capacity: 5, team_ids: [] as string[] });
  const [secret, setSecret] = useState<{ email: string; password: string } | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({
    mutationFn: () => api<{ user?: User; one_time_password: string } & Partial<User>>('POST', '/users', form),
    onSuccess: (created) => {
      setSecret({ email: created.user?.email ?? created.email ?? form.email, password: created.one_time_password });
      setForm({ email: '', name: '', role: 'agent', capacity: 5, team_ids: [] });
      refresh();
    },
  });
  const update = useMutation({ mutationFn: ({ id, patch }: { id: string; patch: Partial<User> }) => api('PATCH', `/users/${id}`, patch), onSuccess: refresh });
  const reset = useMutation({
    mutationFn: (user: User) => api<{ one_time_password: string }>('POST', `/users/${user.id}/password-reset`).then((r) => ({ ...r, email: user.email })),
    onSuccess: (result) => setSecret({ email: result.email, password: result.one_time_password }),
  });
  const teamList = teams.data?.data ?? [];

  return (
    <>
      {secret ? (
        <div className="secret" role="alert">
          <p>{t('admin.oneTime', { email: secret.email })}</p>
          <code className="mono" data-testid="one-time-password">{secret.password}</code>
          <button type="button" onClick={() => setSecret(null)}>
            {t('admin.copied')}
          </button>
        </div>
      ) : null}
      <form
        className="inline-form"
        aria-label={t('admin.newUser')}
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <h2>{t('admin.newUser')}</h2>
        <label>
          {t('admin.email')}
          <input type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </label>
        <label>
          {t('admin.name')}
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t('admin.role')}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`roles.${role}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.capacity')}
          <input type="number" min={0} max={100} value={form.capacity} onChange={(e) => setForm({ ...form, capacity: Number(e.target.value) })} />
        </label>
        <fieldset>
          <legend>{t('admin.teams')}</legend>
          {teamList.map((team) => (
            <label key={team.id} className="check">
              <input
                type="checkbox"
                checked={form.team_ids.includes(team.id)}
                onChange={(e) => setForm({ ...form, team_ids: e.target.checked ? [...form.team_ids, team.id] : form.team_ids.filter((id) => id !== team.id) })}
              />
              {team.name}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={create.error} />
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('admin.create')}
        </button>
      </form>
      {users.error ? <ErrorNote error={users.error} /> : null}
      <ErrorNote error={update.error ?? reset.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('admin.name')}</th>
            <th scope="col">{t('admin.email')}</th>
            <th scope="col">{t('admin.role')}</th>
            <th scope="col">{t('admin.teams')}</th>
            <th scope="col">{t('admin.capacity')}</th>
            <th scope="col">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.data ?? []).map((user) => (
            <tr key={user.id} className={user.active ? '' : 'inactive'}>
              <td>{user.name}</td>
              <td>{user.email}</td>
              <td>
                <select aria-label={t('admin.roleOf', { name: user.name })} value={user.role} onChange={(e) => update.mutate({ id: user.id, patch: { role: e.target.value as Role } })}>
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {t(`roles.${role}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {teamList.map((team) => (
                  <label key={team.id} className="check">
                    <input
                      type="checkbox"
                      aria-label={t('admin.memberOf', { name: user.name, team: team.name })}
                      checked={user.team_ids.includes(team.id)}
                      onChange={(e) => update.mutate({ id: user.id, patch: { team_ids: e.target.checked ? [...user.team_ids, team.id] : user.team_ids.filter((id) => id !== team.id) } })}
                    />
                    {team.name}
                  </label>
                ))}
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={100}
                  aria-label={t('admin.capacityOf', { name: user.name })}
                  defaultValue={user.capacity}
                  onBlur={(e) => Number(e.target.value) !== user.capacity && update.mutate({ id: user.id, patch: { capacity: Number(e.target.value) } })}
                />
              </td>
              <td>
                <button type="button" onClick={() => reset.mutate(user)}>
                  {t('admin.resetPassword')}
                </button>
                <button type="button" onClick={() => update.mutate({ id: user.id, patch: { active: !user.active } })}>
                  {user.active ? t('admin.deactivate') : t('admin.activate')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Teams() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const teams = useTeams();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ data: User[] }>('GET', '/users') });
  const [form, setForm] = useState({ name: '', queue: '' });
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: ['teams'] });
    void queries.invalidateQueries({ queryKey: ['users'] });
  };
  const create = useMutation({ mutationFn: () => api('POST', '/teams', form), onSuccess: () => (setForm({ name: '', queue: '' }), refresh()) });
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `/teams/${id}`), onSuccess: refresh });
  const member = useMutation({
    mutationFn: ({ user, teamId, add }: { user: User; teamId: string; add: boolean }) =>
      api('PATCH', `/users/${user.id}`, { team_ids: add ? [...user.team_ids, teamId] : user.team_ids.filter((id) => id !== teamId) }),
    onSuccess: refresh,
  });
  return (
    <>
      <form
        className="inline-form"
        aria-label={t('admin.newTeam')}
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <h2>{t('admin.newTeam')}</h2>
        <label>
          {t('admin.teamName')}
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t('admin.queue')}
          <input required value={form.queue} onChange={(e) => setForm({ ...form, queue: e.target.value })} />
        </label>
        <ErrorNote error={create.error} />
        <button type="submit" className="primary">
          {t('admin.create')}
        </button>
      </form>
      <ErrorNote error={remove.error ?? member.error ?? teams.error} />
      {(teams.data?.data ?? []).map((team) => (
        <section key={team.id} className="team">
          <h3>
            {team.name} <small className="muted">{t('admin.queueIs', { queue: team.queue })}</small>
          </h3>
          <fieldset>
            <legend>{t('admin.members')}</legend>
            {(users.data?.data ?? []).map((user) => (
              <label key={user.id} className="check">
                <input type="checkbox" checked={user.team_ids.includes(team.id)} onChange={(e) => member.mutate({ user, teamId: team.id, add: e.target.checked })} />
                {user.name}
              </label>
            ))}
          </fieldset>
          <button type="button" onClick={() => remove.mutate(team.id)}>
            {t('admin.deleteTeam')}
          </button>
        </section>
      ))}
    </>
  );
}

/** How conversations handed to a queue find an agent: by hand, round robin, or the least busy (GET/PUT /settings/assignment). */
function Assignment() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const current = useQuery({ queryKey: ['assignment'], queryFn: () => api<{ strategy: Strategy }>('GET', '/settings/assignment') });
  const [chosen, setChosen] = useState<Strategy | null>(null);
  const save = useMutation({
    mutationFn: (strategy: Strategy) => api<{ strategy: Strategy }>('PUT', '/settings/assignment', { strategy }),
    onSuccess: (saved) => {
      queries.setQueryData(['assignment'], saved);
      setChosen(null);
    },
  });
  const value = chosen ?? current.data?.strategy ?? 'manual';
  return (
    <form
      className="inline-form assignment"
      aria-label={t('assignment.title')}
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate(value);
      }}
    >
      <h2>{t('assignment.title')}</h2>
      <p className="muted">{t('assignment.hint')}</p>
      {!current.data ? <p className="loading">{t('common.loading')}</p> : null}
      <fieldset hidden={!current.data}>
        <legend>{t('assignment.strategy')}</legend>
        {STRATEGIES.map((strategy) => (
          <label key={strategy} className="check">
            <input type="radio" name="strategy" value={strategy} checked={value === strategy} onChange={() => setChosen(strategy)} />
            <span>
              <strong>{t(`assignment.${strategy}`)}</strong> <small className="muted">{t(`assignment.${strategy}Hint`)}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <ErrorNote error={current.error ?? save.error} />
      {save.isSuccess && chosen === null ? (
        <p role="status" className="saved">
          {t('assignment.saved', { strategy: t(`assignment.${save.data.strategy}`) })}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={save.isPending || !current.isSuccess}>
        {t('common.save')}
      </button>
    </form>
  );
}
