-- The audit log in full: who (a person, an API key, a job, the bot), what, to which target
-- (with its label as it was). SQLite writes one transaction at a time: `tx` stays 0 and the
-- feed's cursor is the id (see storage/horizon.rs).
ALTER TABLE audit_log ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'person';
ALTER TABLE audit_log ADD COLUMN target_label TEXT;
ALTER TABLE audit_log ADD COLUMN tx INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_log_tx_id ON audit_log (tx, id);
CREATE INDEX audit_log_action_id ON audit_log (action, id);
CREATE INDEX audit_log_actor_id ON audit_log (actor_id, id);
CREATE INDEX audit_log_target_id ON audit_log (target_type, target_id, id);

-- The Telegram feed: entries waiting to be posted, per topic, in order.
CREATE TABLE audit_feed_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    audit_id INTEGER,
    line TEXT NOT NULL,
    at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX audit_feed_queue_topic ON audit_feed_queue (topic, id);

-- Sign-ins and attempt starts are posted as counts per minute.
CREATE TABLE audit_feed_counts (
    minute INTEGER NOT NULL,
    action TEXT NOT NULL,
    count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (minute, action)
);

-- The forum topics the bot made in the audit group, by kind group.
CREATE TABLE audit_feed_topics (
    chat_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    -- 0: deleted, to be made again at the next post.
    thread_id INTEGER NOT NULL,
    -- When the bot last made it again (a topic deleted again at once is not remade in a loop).
    recreated_at INTEGER,
    -- Deleted again soon after: posts go to the main chat until then.
    main_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, topic)
);
