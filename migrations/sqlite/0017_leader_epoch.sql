-- The leader's epoch (issue 28): every instance that takes the lead bumps it, and the
-- background jobs' transactions go on only while it is still the one their leader took. On
-- SQLite one process always leads and nothing is fenced; the table keeps the schemas alike.
CREATE TABLE leader_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO leader_epoch (id, epoch) VALUES (1, 0);
