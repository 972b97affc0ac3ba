export { Workspaces, type Workspace } from './workspaces.js';
