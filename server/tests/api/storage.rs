//! The storage layer's guarantees on both backends.

use crate::helpers::{Backend, fresh_database_url};
use app::domain::audit::{AuditAction, AuditEntry, Origin};
use app::domain::user::{Role, UserStatus};
use app::domain::{TelegramId, Timestamp};
use app::storage::{self, Db, PoolSettings, StorageError, on_conn};

async fn db(backend: Backend) -> Db {
    let db = Db::connect(&fresh_database_url(backend).await, &PoolSettings::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db
}

async fn the_audit_log_is_append_only(backend: Backend) {
    let db = db(backend).await;
    let mut tx = db.begin().await.unwrap();
    storage::audit::record(
        tx.conn(),
        &AuditEntry {
            at: Timestamp(1),
            actor_id: None,
            actor_label: "t".into(),
            action: AuditAction::SignIn,
            target_type: None,
            target_id: None,
            details: serde_json::json!({}),
            origin: Origin::channel("test"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let update = on_conn!(tx.conn(), |c| sqlx::query(
        "UPDATE audit_log SET actor_label = 'x'"
    )
    .execute(c)
    .await
    .map(|_| ()));
    assert!(update.is_err(), "UPDATE must be refused");
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    let delete = on_conn!(tx.conn(), |c| sqlx::query("DELETE FROM audit_log")
        .execute(c)
        .await
        .map(|_| ()));
    assert!(delete.is_err(), "DELETE must be refused");
}

/// An active employee known by Telegram only.
fn employee(telegram_id: i64) -> storage::users::NewUser {
    storage::users::NewUser {
        telegram_id: Some(TelegramId(telegram_id)),
        first_name: "A".into(),
        last_name: String::new(),
        names_edited: false,
        username: None,
        role: Role::Employee,
        status: UserStatus::Active,
        position_id: None,
        branch_id: None,
        login: None,
        password_hash: None,
    }
}

async fn unique_violations_become_conflicts(backend: Backend) {
    let db = db(backend).await;
    let new = storage::users::NewUser {
        login: Some("same".into()),
        ..employee(1)
    };
    let mut tx = db.begin().await.unwrap();
    storage::users::insert(tx.conn(), &new, Timestamp(1))
        .await
        .unwrap();
    let again = storage::users::insert(
        tx.conn(),
        &storage::users::NewUser {
            telegram_id: Some(TelegramId(2)),
            ..new.clone()
        },
        Timestamp(1),
    )
    .await;
    assert!(matches!(again, Err(StorageError::Conflict(_))), "{again:?}");
}

async fn a_transaction_dropped_without_commit_rolls_back(backend: Backend) {
    let db = db(backend).await;
    let mut tx = db.begin().await.unwrap();
    storage::dictionaries::ensure(
        tx.conn(),
        storage::dictionaries::Dictionary::Branches,
        "X",
        Timestamp(1),
    )
    .await
    .unwrap();
    drop(tx);
    let mut c = db.read().await.unwrap();
    let list = storage::dictionaries::list(c.conn(), storage::dictionaries::Dictionary::Branches)
        .await
        .unwrap();
    assert!(list.is_empty());
}

const BRANCHES_A_B: &str =
    "INSERT INTO branches (id, name, created_at, updated_at) VALUES (1, 'A', 0, 0), (2, 'B', 0, 0)";
const POSITION_P: &str =
    "INSERT INTO positions (id, name, created_at, updated_at) VALUES (1, 'P', 0, 0)";

/// An insert of certification rows (id, title, pass mark, attempts, limit, timer, reading,
/// shuffles, points, review, status, times).
macro_rules! certifications {
    ($values:literal) => {
        concat!(
            "INSERT INTO certifications (id, title, pass_threshold, max_attempts, time_limit_secs, \
             timer_mode, min_read_secs, shuffle_questions, shuffle_options, points, review_allowed, \
             status, created_at, updated_at) VALUES ",
            $values
        )
    };
}

/// An insert of attempt rows, every column the schema requires.
macro_rules! attempts {
    ($values:literal) => {
        concat!(
            "INSERT INTO attempts (id, user_id, certification_id, number, status, timer_mode, \
             time_limit_ms, started_at, used_ms, seed, questions, shapes, pass_threshold, \
             finished_at, finish_reason, correct, total, percent, passed, created_at, updated_at) \
             VALUES ",
            $values
        )
    };
}

async fn exec(db: &Db, sql: &str) {
    let mut tx = db.begin().await.unwrap();
    on_conn!(tx.conn(), |c| sqlx::query(sql).execute(c).await.map(|_| ())).unwrap();
    tx.commit().await.unwrap();
}

/// The kept compliance counts (with and without folding the deltas) against a recount from
/// the progress rows.
async fn assert_counts_kept(db: &Db, step: &str) {
    let sorted = |mut v: Vec<app::domain::compliance::ProgressGroup>| {
        v.sort_by_key(|g| (g.cert, g.branch, g.position, g.tried, g.passed));
        v.into_iter()
            .map(|g| (g.cert, g.branch, g.position, g.tried, g.passed, g.n))
            .collect::<Vec<_>>()
    };
    for scope in [
        app::domain::scope::PeopleScope::Everyone,
        app::domain::scope::PeopleScope::Branches(vec![app::domain::BranchId(1)]),
    ] {
        let mut c = db.read().await.unwrap();
        let kept = storage::dashboard::progress_counts(c.conn(), &scope)
            .await
            .unwrap();
        let recounted = storage::dashboard::progress_recounted(c.conn(), &scope)
            .await
            .unwrap();
        assert_eq!(sorted(kept), sorted(recounted), "{step}, {scope:?}");
    }
    for scope in [
        app::domain::scope::PeopleScope::Everyone,
        app::domain::scope::PeopleScope::Branches(vec![app::domain::BranchId(2)]),
    ] {
        let mut c = db.read().await.unwrap();
        let mut kept = storage::dashboard::activity(c.conn(), &scope, Timestamp(0))
            .await
            .unwrap();
        kept.retain(|d| d.1 != 0 || d.2 != 0);
        kept.sort();
        let mut recounted = storage::dashboard::activity_recounted(c.conn(), &scope, Timestamp(0))
            .await
            .unwrap();
        recounted.sort();
        assert_eq!(kept, recounted, "{step}, activity, {scope:?}");
    }
    let mut tx = db.begin().await.unwrap();
    storage::dashboard::fold_counts(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.read().await.unwrap();
    let kept =
        storage::dashboard::progress_counts(c.conn(), &app::domain::scope::PeopleScope::Everyone)
            .await
            .unwrap();
    let recounted = storage::dashboard::progress_recounted(
        c.conn(),
        &app::domain::scope::PeopleScope::Everyone,
    )
    .await
    .unwrap();
    assert_eq!(sorted(kept), sorted(recounted), "{step}, folded");
}

async fn the_dashboard_counts_follow_every_change(backend: Backend) {
    let db = db(backend).await;
    for sql in [
        BRANCHES_A_B,
        POSITION_P,
        "INSERT INTO users (id, telegram_id, first_name, last_name, role, status, branch_id, position_id, \
           registered_at, created_at, updated_at) VALUES \
           (1, 11, 'a', '', 'employee', 'active', 1, 1, 0, 0, 0), \
           (2, 12, 'b', '', 'employee', 'active', 1, NULL, 0, 0, 0), \
           (3, 13, 'c', '', 'employee', 'active', NULL, 1, 0, 0, 0), \
           (4, 14, 'd', '', 'employee', 'deactivated', 2, 1, 0, 0, 0)",
        certifications!(
            "(1, 'X', 70, 3, 60, 'continuous', 0, FALSE, FALSE, 10, TRUE, 'open', 0, 0), \
           (2, 'Y', 70, 3, 60, 'continuous', 0, FALSE, FALSE, 10, TRUE, 'closed', 0, 0)"
        ),
    ] {
        exec(&db, sql).await;
    }
    assert_counts_kept(&db, "nothing yet").await;
    let steps = [
        (
            "progress rows",
            "INSERT INTO certification_progress (user_id, certification_id, attempts_used, \
           created_at, updated_at) VALUES (1, 1, 0, 0, 0), (2, 1, 1, 0, 0), (3, 1, 0, 0, 0), \
           (4, 1, 1, 0, 0), (1, 2, 2, 0, 0)",
        ),
        (
            "attempts",
            attempts!(
                "(1, 1, 1, 1, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 86400000, 'submitted', 1, 2, 50, FALSE, 0, 0), \
           (2, 2, 1, 1, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 90000000, 'submitted', 2, 2, 100, TRUE, 0, 0), \
           (3, 4, 1, 1, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 3000000, 'time_up', 2, 2, 100, TRUE, 0, 0), \
           (4, 3, 1, 1, 'in_progress', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, NULL, NULL, NULL, 2, NULL, NULL, 0, 0), \
           (5, 1, 2, 1, 'in_progress', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, NULL, NULL, NULL, 2, NULL, NULL, 0, 0)"
            ),
        ),
        (
            "an attempt finished",
            "UPDATE attempts SET status = 'finished', finished_at = 172800000, finish_reason = 'submitted', \
           correct = 2, percent = 100, passed = TRUE WHERE id = 4",
        ),
        (
            "an attempt ended by a reset",
            "UPDATE attempts SET status = 'finished', finished_at = 172800000, finish_reason = 'reset' WHERE id = 5",
        ),
        (
            "an attempt",
            "UPDATE certification_progress SET attempts_used = 1 WHERE user_id = 1 AND certification_id = 1",
        ),
        (
            "a second attempt changes no group",
            "UPDATE certification_progress SET attempts_used = 2 WHERE user_id = 1 AND certification_id = 1",
        ),
        (
            "a pass",
            "UPDATE certification_progress SET passed_at = 5 WHERE user_id = 2",
        ),
        ("a move", "UPDATE users SET branch_id = 2 WHERE id = 1"),
        (
            "a new position",
            "UPDATE users SET position_id = NULL WHERE id = 1",
        ),
        (
            "a rename changes nothing",
            "UPDATE users SET first_name = 'z' WHERE id = 1",
        ),
        (
            "deactivated",
            "UPDATE users SET status = 'deactivated' WHERE id = 2",
        ),
        (
            "back",
            "UPDATE users SET status = 'active', branch_id = 1 WHERE id = 4",
        ),
        (
            "a reset",
            "UPDATE certification_progress SET attempts_used = 0, passed_at = NULL WHERE user_id = 2",
        ),
        (
            "a progress row deleted",
            "DELETE FROM certification_progress WHERE user_id = 3",
        ),
        ("a person deleted", "DELETE FROM users WHERE id = 4"),
        (
            "a certification deleted",
            "DELETE FROM certifications WHERE id = 2",
        ),
    ];
    for (step, sql) in steps {
        exec(&db, sql).await;
        assert_counts_kept(&db, step).await;
    }
    let mut c = db.read().await.unwrap();
    let left: Vec<(i64,)> = on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT certification_id FROM progress_counts WHERE certification_id = 2"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert!(
        left.is_empty(),
        "a deleted certification's counts go with it"
    );
    drop(c);

    if backend == Backend::Postgres {
        // A move and a result of the same person at the same time, in both orders: the
        // progress row ends up counted once, in the group the person is in now.
        for (first_move, sql) in [
            (true, "UPDATE users SET branch_id = 2 WHERE id = 1"),
            (false, "UPDATE users SET branch_id = 1 WHERE id = 1"),
        ] {
            let mut t1 = db.begin().await.unwrap();
            let result = "UPDATE certification_progress SET passed_at = CASE WHEN passed_at IS NULL THEN 9 END \
                          WHERE user_id = 1 AND certification_id = 1";
            let (a, b) = if first_move {
                (sql, result)
            } else {
                (result, sql)
            };
            on_conn!(t1.conn(), |c| sqlx::query(a).execute(c).await.map(|_| ())).unwrap();
            let other = {
                let db = db.clone();
                let b = b.to_owned();
                tokio::spawn(async move { exec(&db, &b).await })
            };
            // Either way round, the other waits for this one's commit (the person's row is
            // locked by the move, or read FOR SHARE by the result's trigger).
            crate::helpers::eventually(
                "the other transaction waits",
                std::time::Duration::from_secs(10),
                || {
                    let db = db.clone();
                    async move {
                        let mut c = db.read().await.unwrap();
                        let (waiting,): (i64,) = on_conn!(c.conn(), |c| sqlx::query_as(
                            "SELECT COUNT(*) FROM pg_stat_activity \
                         WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                        .fetch_one(c)
                        .await)
                        .unwrap();
                        (waiting == 1).then_some(())
                    }
                },
            )
            .await;
            t1.commit().await.unwrap();
            other.await.unwrap();
            assert_counts_kept(
                &db,
                if first_move {
                    "move, then result"
                } else {
                    "result, then move"
                },
            )
            .await;
        }
    }
}

/// The kept per-question sums and option counts (with and without folding the deltas)
/// against sums over the facts.
async fn assert_sums_kept(db: &Db, step: &str) {
    for fold in [false, true] {
        if fold {
            let mut tx = db.begin().await.unwrap();
            storage::analytics::fold_sums(tx.conn()).await.unwrap();
            tx.commit().await.unwrap();
        }
        for cert in [app::domain::CertId(1), app::domain::CertId(2)] {
            use app::domain::BranchId;
            use app::domain::scope::PeopleScope;
            for (first_only, everyone) in [false, true].into_iter().flat_map(|f| {
                [
                    PeopleScope::Everyone,
                    PeopleScope::Branches(vec![BranchId(7)]),
                    PeopleScope::Branches(vec![BranchId(0), BranchId(3)]),
                ]
                .map(|s| (f, s))
            }) {
                let mut c = db.read().await.unwrap();
                let at = format!(
                    "{step}, {cert:?}, first only {first_only}, {everyone:?}, folded {fold}"
                );
                let kept = storage::analytics::item_sums(c.conn(), cert, first_only, &everyone)
                    .await
                    .unwrap();
                let recounted =
                    storage::analytics::item_sums_recounted(c.conn(), cert, first_only, &everyone)
                        .await
                        .unwrap();
                assert_eq!(kept, recounted, "{at}");
                let kept = storage::analytics::option_counts(c.conn(), cert, first_only, &everyone)
                    .await
                    .unwrap();
                let recounted = storage::analytics::option_counts_recounted(
                    c.conn(),
                    cert,
                    first_only,
                    &everyone,
                )
                .await
                .unwrap();
                assert_eq!(kept, recounted, "{at}, options");
            }
        }
    }
}

async fn the_statistics_sums_follow_every_change(backend: Backend) {
    let db = db(backend).await;
    for sql in [
        "INSERT INTO users (id, telegram_id, first_name, last_name, role, status, \
           registered_at, created_at, updated_at) VALUES \
           (1, 11, 'a', '', 'employee', 'active', 0, 0, 0), \
           (2, 12, 'b', '', 'employee', 'active', 0, 0, 0)",
        certifications!(
            "(1, 'X', 70, 3, 60, 'continuous', 0, FALSE, FALSE, 10, TRUE, 'open', 0, 0), \
           (2, 'Y', 70, 3, 60, 'continuous', 0, FALSE, FALSE, 10, TRUE, 'open', 0, 0)"
        ),
        attempts!(
            "(1, 1, 1, 1, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 1, 'submitted', 1, 2, 50, FALSE, 0, 0), \
           (2, 1, 1, 2, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 2, 'submitted', 2, 2, 100, TRUE, 0, 0), \
           (3, 2, 1, 1, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 3, 'submitted', 2, 2, 100, TRUE, 0, 0), \
           (4, 2, 2, 1, 'finished', 'continuous', 60000, 0, 1, '', '[]', '[]', 70, 4, 'submitted', 1, 2, 50, FALSE, 0, 0)"
        ),
    ] {
        exec(&db, sql).await;
    }
    assert_sums_kept(&db, "nothing yet").await;
    let facts = "INSERT INTO answer_facts (attempt_id, question_index, certification_id, question_id, \
                 revision, first_attempt, is_right, rest) VALUES ";
    let options = "INSERT INTO answer_option_facts (attempt_id, question_index, option_id, \
                   certification_id, question_id, revision, first_attempt) VALUES ";
    let steps = [
        (
            "a first attempt's facts",
            format!("{facts} (1, 0, 1, 10, 1, TRUE, 0, 1), (1, 1, 1, 11, 1, TRUE, 1, 0)"),
        ),
        (
            "its options",
            format!(
                "{options} (1, 0, 7, 1, 10, 1, TRUE), (1, 1, 8, 1, 11, 1, TRUE), (1, 1, 9, 1, 11, 1, TRUE)"
            ),
        ),
        (
            "a second attempt",
            format!("{facts} (2, 0, 1, 10, 2, FALSE, 1, 1), (2, 1, 1, 11, 1, FALSE, 1, 1)"),
        ),
        (
            "its options",
            format!("{options} (2, 0, 5, 1, 10, 2, FALSE), (2, 1, 8, 1, 11, 1, FALSE)"),
        ),
        (
            "another person, in branch 7",
            "INSERT INTO answer_facts (attempt_id, question_index, certification_id, question_id, \
             revision, first_attempt, is_right, rest, branch_id) VALUES \
             (3, 0, 1, 10, 1, TRUE, 1, 1, 7), (3, 1, 1, 11, 1, TRUE, 1, 1, 7)"
                .to_owned(),
        ),
        (
            "another certification",
            format!("{facts} (4, 0, 2, 20, 1, TRUE, 1, 0), (4, 1, 2, 21, 1, TRUE, 0, 1)"),
        ),
        (
            "its options",
            format!("{options} (3, 0, 7, 1, 10, 1, TRUE), (4, 0, 1, 2, 20, 1, TRUE)"),
        ),
        (
            "facts stored twice change nothing",
            format!(
                "{facts} (1, 0, 1, 10, 1, TRUE, 0, 1), (3, 2, 1, 12, 1, TRUE, 1, 2) ON CONFLICT DO NOTHING"
            ),
        ),
        (
            "options stored twice change nothing",
            format!(
                "{options} (1, 0, 7, 1, 10, 1, TRUE), (3, 2, 4, 1, 12, 1, TRUE) ON CONFLICT DO NOTHING"
            ),
        ),
        (
            "an attempt deleted",
            "DELETE FROM attempts WHERE id = 2".to_owned(),
        ),
        (
            "a person deleted",
            "DELETE FROM users WHERE id = 2".to_owned(),
        ),
        (
            "a certification deleted",
            "DELETE FROM certifications WHERE id = 1".to_owned(),
        ),
    ];
    for (step, sql) in steps {
        exec(&db, &sql).await;
        assert_sums_kept(&db, step).await;
    }
    let mut c = db.read().await.unwrap();
    let left = storage::analytics::item_sums(
        c.conn(),
        app::domain::CertId(1),
        false,
        &app::domain::scope::PeopleScope::Everyone,
    )
    .await
    .unwrap();
    assert!(
        left.is_empty(),
        "a deleted certification's sums go with it: {left:?}"
    );
}

async fn the_funnel_counts_each_person_once(backend: Backend) {
    let db = db(backend).await;
    for sql in [
        BRANCHES_A_B,
        POSITION_P,
        // 1: by branch and position and name; 2: by branch, deactivated, no progress;
        // 3: by position; 4: unassigned, with progress; 5: by branch, deactivated, with
        // progress; 6: in no assigned group.
        "INSERT INTO users (id, telegram_id, first_name, last_name, role, status, branch_id, position_id, \
           registered_at, created_at, updated_at) VALUES \
           (1, 11, 'a', '', 'employee', 'active', 1, 1, 0, 0, 0), \
           (2, 12, 'b', '', 'employee', 'deactivated', 1, NULL, 0, 0, 0), \
           (3, 13, 'c', '', 'employee', 'active', 2, 1, 0, 0, 0), \
           (4, 14, 'd', '', 'employee', 'active', 2, NULL, 0, 0, 0), \
           (5, 15, 'e', '', 'employee', 'deactivated', 1, NULL, 0, 0, 0), \
           (6, 16, 'f', '', 'employee', 'active', 2, NULL, 0, 0, 0)",
        certifications!(
            "(1, 'X', 70, 3, 60, 'continuous', 0, FALSE, FALSE, 10, TRUE, 'open', 0, 0)"
        ),
        "INSERT INTO certification_assignments (certification_id, target_kind, target_id, created_at, updated_at) \
           VALUES (1, 'branch', 1, 0, 0), (1, 'position', 1, 0, 0), (1, 'user', 1, 0, 0)",
        "INSERT INTO certification_progress (user_id, certification_id, read_version, attempts_used, \
           passed_at, created_at, updated_at) VALUES \
           (1, 1, 1, 1, 5, 0, 0), (4, 1, 1, 2, NULL, 0, 0), (5, 1, NULL, 0, NULL, 0, 0)",
    ] {
        exec(&db, sql).await;
    }
    let mut c = db.read().await.unwrap();
    let funnel = storage::analytics::funnel(
        c.conn(),
        app::domain::CertId(1),
        &app::domain::scope::PeopleScope::Everyone,
    )
    .await
    .unwrap();
    // People 1, 3, 4 and 5; read 1 and 4; tried 1 and 4; passed 1.
    assert_eq!(funnel, (4, 2, 2, 1));
}

/// A fence whose epoch the test sets (0: not leading).
fn fence_at(epoch: &std::sync::Arc<std::sync::atomic::AtomicI64>) -> storage::leader::Fence {
    let epoch = epoch.clone();
    storage::leader::Fence {
        epoch: std::sync::Arc::new(move || {
            Some(epoch.load(std::sync::atomic::Ordering::SeqCst)).filter(|e| *e > 0)
        }),
        lease: std::time::Duration::from_millis(1_500),
    }
}

/// Sessions of this database waiting on a lock.
async fn lock_waiters(db: &Db) -> i64 {
    let mut c = db.read().await.unwrap();
    on_conn!(c.conn(), |c| sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    .fetch_one(c)
    .await)
    .unwrap()
}

async fn a_replaced_leaders_late_writes_are_refused(backend: Backend) {
    let db = db(backend).await;
    let mine = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let jobs = db.fenced(fence_at(&mine));
    if backend == Backend::Sqlite {
        // One process always leads: nothing to fence.
        jobs.begin().await.unwrap().commit().await.unwrap();
        return;
    }
    let Db::Postgres(pools, _) = &db else {
        unreachable!()
    };
    let pool = &pools.write;
    // Not leading: refused before a connection is taken.
    assert!(matches!(
        jobs.begin().await,
        Err(StorageError::Fenced { mine: None, .. })
    ));
    let mut first = pool.acquire().await.unwrap();
    mine.store(
        storage::leader::take_epoch(&mut first).await.unwrap(),
        std::sync::atomic::Ordering::SeqCst,
    );
    let mut job = jobs.begin().await.unwrap();
    // A new leader takes the next epoch: it waits for the job begun in the old one.
    let next = tokio::spawn({
        let pool = pool.clone();
        async move {
            let mut c = pool.acquire().await.unwrap();
            storage::leader::take_epoch(&mut c).await.unwrap()
        }
    });
    crate::helpers::eventually(
        "the new leader waits for the old leader's job",
        std::time::Duration::from_secs(10),
        || async { (lock_waiters(&db).await > 0).then_some(()) },
    )
    .await;
    assert!(!next.is_finished());
    storage::settings::put(job.conn(), "fence-test", "before", None, Timestamp(1))
        .await
        .unwrap();
    job.commit().await.unwrap();
    let taken = next.await.unwrap();
    assert!(taken > mine.load(std::sync::atomic::Ordering::SeqCst));
    // The old leader has not noticed yet: its next write is refused all the same.
    assert!(matches!(
        jobs.begin().await,
        Err(StorageError::Fenced { mine: Some(m), current: Some(c) }) if c == taken && m < c
    ));
    // A leader stopped inside a job cannot hold the next one back longer than its lease:
    // the server ends its idle transaction, and nothing of it is written.
    mine.store(taken, std::sync::atomic::Ordering::SeqCst);
    let mut stalled = jobs.begin().await.unwrap();
    storage::settings::put(stalled.conn(), "fence-test", "stalled", None, Timestamp(2))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let after = storage::leader::take_epoch(&mut first).await.unwrap();
    assert!(after > taken);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the next leader waited {:?}",
        started.elapsed()
    );
    assert!(
        stalled.commit().await.is_err(),
        "the stalled job must not commit"
    );
    let mut c = db.read().await.unwrap();
    let kept = storage::settings::get(c.conn(), "fence-test")
        .await
        .unwrap();
    assert_eq!(kept.map(|(v, _)| v).as_deref(), Some("before"));
}

/// A PostgreSQL connection cut while it sat idle (a database restart, a proxy's timeout) is
/// pinged on its next use and replaced: the statement that takes it does not fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_connection_cut_while_idle_is_replaced() {
    use sqlx::Connection;
    let url = fresh_database_url(Backend::Postgres).await;
    let settings = PoolSettings {
        pg_ping_after_idle: std::time::Duration::ZERO,
        ..PoolSettings::default()
    };
    let db = Db::connect(&url, &settings).await.unwrap();
    db.migrate().await.unwrap();
    let select = |db: Db| async move {
        let mut c = db.read().await.map_err(|e| e.to_string())?;
        on_conn!(c.conn(), |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(|e| e.to_string())
    };
    select(db.clone()).await.unwrap();
    exec(&db, "SELECT 1").await;

    // Cut every connection the pools hold, from outside, and wait until they are gone.
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let others =
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    sqlx::query(&format!("SELECT pg_terminate_backend(pid) {others}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) {others}"))
            .fetch_one(&mut admin)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{left} connections survived"
        );
        tokio::task::yield_now().await;
    }

    select(db.clone()).await.expect("a read after the cut");
    exec(&db, "SELECT 1").await;
}

async fn lock_timeout(tx: &mut storage::Tx, ms: u32) {
    let sql = format!("SET LOCAL lock_timeout = '{ms}ms'");
    on_conn!(tx.conn(), |c| sqlx::query(&sql)
        .execute(c)
        .await
        .map(|_| ()))
    .unwrap();
}

/// A person's row locked to pay their points (`users::lock`) keeps other payers waiting, but
/// not a row that only refers to the person: a notification to them, written by another
/// consumer at the same moment. With `FOR UPDATE` the two consumers deadlocked on PostgreSQL
/// (each waiting for a person the other had locked or referred to).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_locked_to_pay_points_can_still_be_referred_to() {
    let db = db(Backend::Postgres).await;
    let mut tx = db.begin().await.unwrap();
    let person = storage::users::insert(tx.conn(), &employee(1), Timestamp(1))
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let mut payer = db.begin().await.unwrap();
    storage::users::lock(payer.conn(), person).await.unwrap();
    let mut referrer = db.begin().await.unwrap();
    // Waiting at all is the failure: a second is far more than a free lock takes.
    lock_timeout(&mut referrer, 1000).await;
    // What PostgreSQL runs to check a foreign key to the person (the notification's insert).
    let checked = on_conn!(referrer.conn(), |c| sqlx::query(
        "SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE"
    )
    .bind(person)
    .execute(c)
    .await
    .map(|_| ()));
    assert!(checked.is_ok(), "a reference waited: {checked:?}");
    let mut second = db.begin().await.unwrap();
    lock_timeout(&mut second, 200).await;
    let paid = storage::users::lock(second.conn(), person).await;
    assert!(paid.is_err(), "a second payer must wait for the first");
    drop(second);
    referrer.commit().await.unwrap();
    payer.commit().await.unwrap();
}

crate::both_backends!(
    a_replaced_leaders_late_writes_are_refused,
    the_funnel_counts_each_person_once,
    the_dashboard_counts_follow_every_change,
    the_statistics_sums_follow_every_change,
    the_audit_log_is_append_only,
    unique_violations_become_conflicts,
    a_transaction_dropped_without_commit_rolls_back,
);
