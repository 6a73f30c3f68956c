-- Projects (issue 11): projects with members and roles, tasks on a board, comments and an
-- activity feed. Instants are unix milliseconds (UTC); dates are 'YYYY-MM-DD' text; lists are
-- JSON text.
--
-- Access is membership: a user sees a project exactly while a project_members row names them
-- (role owner > editor > viewer; db::project_access reads it on every request, so a removal
-- takes effect on the member's next request). Members are added from the adder's connections;
-- a membership does not end when a connection does (the owners remove people explicitly).
CREATE TABLE projects (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    colour          TEXT    NOT NULL DEFAULT '#5B8DEF',
    status          TEXT    NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'on_hold', 'done', 'archived')),
    due_date        TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE project_members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    added_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id, project_id);

-- position orders a task within its status column (ascending; gaps allowed, renumbered by the
-- application when a move finds none). checklist is a JSON array of {"text", "done"}.
-- search_text is title and notes lower-cased by the application (what `q` searches).
CREATE TABLE project_tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    notes           TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'todo'
                            CHECK (status IN ('todo', 'in_progress', 'blocked', 'done')),
    priority        TEXT    NOT NULL DEFAULT 'none'
                            CHECK (priority IN ('none', 'low', 'medium', 'high')),
    due_date        TEXT,
    checklist       TEXT    NOT NULL DEFAULT '[]',
    position        BIGINT  NOT NULL,
    search_text     TEXT    NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    completed_at    BIGINT
);
CREATE INDEX project_tasks_board ON project_tasks (project_id, status, position);

-- Assignees are members of the task's project (checked by the application; removing a member
-- removes their assignments in the same transaction).
CREATE TABLE task_assignees (
    task_id         INTEGER NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_assignees_user ON task_assignees (user_id);

CREATE TABLE task_comments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id         INTEGER NOT NULL REFERENCES project_tasks (id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    edited          INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1))
);
CREATE INDEX task_comments_task ON task_comments (task_id, id);

-- Who did what to which task, written in the same transaction as the change. task_id is not a
-- foreign key and task_title is a copy, so the feed still reads after a task is deleted.
-- detail is a short JSON object of what changed (e.g. {"from": "todo", "to": "done"}).
CREATE TABLE project_activity (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    actor_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action          TEXT    NOT NULL,
    task_id         INTEGER,
    task_title      TEXT,
    detail          TEXT    NOT NULL DEFAULT '{}',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX project_activity_feed ON project_activity (project_id, id);
