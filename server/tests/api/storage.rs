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

async fn unique_violations_become_conflicts(backend: Backend) {
    let db = db(backend).await;
    let new = storage::users::NewUser {
        telegram_id: Some(TelegramId(1)),
        first_name: "A".into(),
        last_name: String::new(),
        names_edited: false,
        username: None,
        role: Role::Employee,
        status: UserStatus::Active,
        position_id: None,
        branch_id: None,
        login: Some("same".into()),
        password_hash: None,
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

crate::both_backends!(
    the_audit_log_is_append_only,
    unique_violations_become_conflicts,
    a_transaction_dropped_without_commit_rolls_back,
);
