-- The leader's epoch (issue 28): every instance that takes the lead bumps it, and the
-- background jobs' transactions go on only while it is still the one their leader took, so a
-- leader that wakes up after another took over cannot repeat work (fencing).
CREATE TABLE leader_epoch (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO leader_epoch (id, epoch) VALUES (1, 0);
