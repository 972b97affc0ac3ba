import type { Role } from '../users/index.js';

/** A person of the workspace as the desk needs them (mentions, authors, the supervisor's board). */
export interface DeskPerson {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** online | away | offline */
  presence: string;
  /** How many conversations they take at once. */
  capacity: number;
  active: boolean;
  team_ids: readonly string[];
}

/** A team and the handoff queue it works. */
export interface DeskTeam {
  id: string;
  name: string;
  queue: string;
}

/** Where the desk reads the people and teams of a workspace (the users module, wired in the composition root). */
export interface DeskPeople {
  people(workspaceId: string): Promise<DeskPerson[]>;
  teams(workspaceId: string): Promise<DeskTeam[]>;
}
