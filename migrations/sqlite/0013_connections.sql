-- Connections between users, the blocks that keep someone out, and the attempts that rate
-- limit requests.
--
-- A request is stored for EVERY well-formed name a user asks, by the name as typed
-- (lower-case, like usernames): the sender's outgoing list shows that row whether the name
-- belongs to an active user who may receive it, to nobody, to a disabled account, to
-- someone who blocked the sender, to the sender, or to someone already connected, so the
-- list says nothing about who exists. Only a request that reaches someone has addressee_id
-- and the pair (user_low/user_high, the two ids in order); the others stay NULL and reach
-- nobody. UNIQUE (user_low, user_high) allows at most one delivered request or connection
-- per pair (in either direction), and "are a and b connected" is one lookup on that index
-- (NULLs never clash). A sender has one pending row per name (the partial unique index).
-- requester_id sent the request, addressee_id received it (and alone may accept or
-- decline). status is 'pending' until accepted, then 'accepted' (accepted_at is the
-- connection's "since"). Declining, or either side blocking the other, only takes the
-- request away from the receiver (addressee_id and the pair back to NULL): the sender's row
-- stays as it was. A declined request (declined_at) never reaches anyone again; one that
-- reached nobody is delivered when the sender asks the same name again and it now may (the
-- name was registered, a block lifted). A cancelled request and a removed connection are
-- deleted.
CREATE TABLE connections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    requester_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    addressee_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    username        TEXT    NOT NULL,
    user_low        INTEGER,
    user_high       INTEGER,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'accepted')),
    created_at      BIGINT  NOT NULL,
    accepted_at     BIGINT,
    declined_at     BIGINT,
    CHECK (requester_id <> addressee_id),
    CHECK (user_low < user_high),
    -- Delivered or not, together: a pair exactly when there is a receiver; a connection
    -- always has both.
    CHECK ((addressee_id IS NULL) = (user_low IS NULL) AND (user_low IS NULL) = (user_high IS NULL)),
    CHECK (status = 'pending' OR addressee_id IS NOT NULL),
    UNIQUE (user_low, user_high)
);
-- One pending request per sender and name: asking again changes nothing the sender sees.
CREATE UNIQUE INDEX connections_sent_name ON connections (requester_id, username) WHERE status = 'pending';
-- The request lists: a user's incoming and outgoing pending requests.
CREATE INDEX connections_addressee ON connections (addressee_id, status);
CREATE INDEX connections_requester ON connections (requester_id, status);
-- The connections list from the high side (the unique index serves the low side).
CREATE INDEX connections_high ON connections (user_high, status);

-- Blocks are by username (stored lower-case, as usernames are): blocking answers the same for
-- a name that exists and one that does not, and the list shows what was typed either way, so
-- neither reveals who has an account. A request reaches nobody when its receiver has blocked
-- the sender's name (or the sender the receiver's). A user has at most 1,000 blocks.
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
