// The dialogs that make and change a project: name, description, colour, due date (and, when
// editing, its status). Errors from the server stay in the dialog beside their field.

import { patch, post } from '../../api.js';
import { formDialog } from '../../dialog.js';
import { PROJECT_STATUSES, projectPath } from './shared.js';

const DEFAULT_COLOUR = '#8ab4ff';

function fields(project) {
  return [
    { name: 'name', label: 'Name', maxLength: 120, value: project ? project.name : '', placeholder: 'e.g. Paint the kitchen' },
    { name: 'description', label: 'Description', kind: 'textarea', optional: true, maxLength: 10000, rows: 3, value: project ? project.description : '' },
    { name: 'colour', label: 'Colour', type: 'color', value: (project && project.colour) || DEFAULT_COLOUR },
    { name: 'due_date', label: 'Due date', kind: 'date', optional: true, value: project ? project.due_date || '' : '' },
    project ? { name: 'status', label: 'Status', kind: 'select', options: PROJECT_STATUSES, value: project.status } : null,
  ].filter(Boolean);
}

// Resolves with the new project, or null when cancelled.
export function createProject() {
  return formDialog({
    title: 'New project',
    message: 'You become its owner. Add members from your connections once it exists.',
    fields: fields(null),
    submitLabel: 'Create project',
    onSubmit: (values) => {
      const body = { name: values.name.trim(), description: values.description, colour: values.colour };
      if (values.due_date) body.due_date = values.due_date;
      return post('/api/projects', body);
    },
  });
}

// Resolves with the changed project, or null when cancelled.
export function editProject(project) {
  return formDialog({
    title: 'Edit project',
    fields: fields(project),
    submitLabel: 'Save',
    onSubmit: (values) => patch(projectPath(project.id), {
      name: values.name.trim(),
      description: values.description,
      colour: values.colour,
      status: values.status,
      due_date: values.due_date || null,
    }),
  });
}
