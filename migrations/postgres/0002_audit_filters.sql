-- The admin console filters the audit log by actor and by action, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
