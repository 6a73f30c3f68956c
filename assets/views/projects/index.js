// The Projects section's routes: /projects (the list) and /projects/{id} (a project's page,
// with `?view=list|activity` and `?task={id}` for the drawer). Anything else is not found.

import { notFound } from '../not_found.js';
import { projectsList } from './list.js';
import { projectPage } from './project.js';

export function projects(context) {
  const { path } = context;
  if (path === '/projects' || path === '/projects/') return projectsList();
  const match = /^\/projects\/([1-9][0-9]{0,17})\/?$/.exec(path);
  if (!match) return notFound();
  return projectPage(Number(match[1]), context);
}
