-- Connections between users, the blocks that keep someone out, and the attempts that rate
-- limit requests.
--
-- One row per pair of users, whatever its state: user_low/user_high are the pair's ids in
-- order, so UNIQUE (user_low, user_high) allows at most one live request or connection per
-- pair (in either direction), and "are a and b connected" is one lookup on that index.
-- requester_id sent the request, addressee_id received it (and alone may accept or decline).
-- status is 'pending' until accepted, then 'accepted' (accepted_at is the connection's
-- "since"). A declined or cancelled request and a removed connection are deleted, so the
-- pair may start again.
CREATE TABLE connections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    requester_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    addressee_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_low        INTEGER NOT NULL,
    user_high       INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'accepted')),
    created_at      BIGINT  NOT NULL,
    accepted_at     BIGINT,
    CHECK (requester_id <> addressee_id),
    CHECK (user_low < user_high),
    UNIQUE (user_low, user_high)
);
-- The request lists: a user's incoming and outgoing pending requests.
CREATE INDEX connections_addressee ON connections (addressee_id, status);
CREATE INDEX connections_requester ON connections (requester_id, status);
-- The connections list from the high side (the unique index serves the low side).
CREATE INDEX connections_high ON connections (user_high, status);

-- Blocks are by username (stored lower-case, as usernames are): blocking answers the same for
-- a name that exists and one that does not, and the list shows what was typed either way, so
-- neither reveals who has an account. A request is dropped when its receiver has blocked the
-- sender's name (or the sender the receiver's).
CREATE TABLE connection_blocks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    blocker_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    username        TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (blocker_id, username)
);

-- Every connection request a user sent (to any name, existing or not), for the per-sender
-- rate limit that holds across processes. Rows older than the window are pruned.
CREATE TABLE connection_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX connection_attempts_user ON connection_attempts (user_id, created_at);
CREATE INDEX connection_attempts_created ON connection_attempts (created_at);

-- The cleanup job prunes read notifications older than 90 days across all users; the
-- notifications migration's indexes lead with the user, so it gets its own.
CREATE INDEX notifications_read_created ON notifications (created_at) WHERE read_at IS NOT NULL;
