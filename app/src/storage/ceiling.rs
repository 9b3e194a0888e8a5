//! The raw write ceiling the load generator prints beside the answers: one-row upserts, one
//! transaction each, into a scratch table of their own. No application rule runs; it is what
//! this machine's database can commit, so the answer path is judged against it.

use super::{Db, StorageResult, on_conn};

/// Creates the scratch table (empty) the probe writes to.
pub async fn prepare(db: &Db) -> StorageResult<()> {
    let mut tx = db.begin().await?;
    on_conn!(tx.conn(), |c| {
        sqlx::query("DROP TABLE IF EXISTS load_ceiling_probe")
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "CREATE TABLE load_ceiling_probe (k BIGINT PRIMARY KEY, v BIGINT NOT NULL, at BIGINT NOT NULL)",
        )
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await
}

/// One upsert committed on its own (keys repeat, so most are updates, as answers are).
pub async fn upsert(db: &Db, k: i64, at: i64) -> StorageResult<()> {
    upsert_many(db, &[k], at).await
}

/// Upserts of distinct `keys` committed together, as a group commit of answers writes them.
pub async fn upsert_many(db: &Db, keys: &[i64], at: i64) -> StorageResult<()> {
    let mut tx = db.begin().await?;
    let sql = format!(
        "INSERT INTO load_ceiling_probe (k, v, at) VALUES {} \
         ON CONFLICT (k) DO UPDATE SET v = load_ceiling_probe.v + 1, at = excluded.at",
        (0..keys.len())
            .map(|i| format!("(${}, 1, ${})", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sql = tx.conn().list_sql(&sql).into_owned();
    on_conn!(tx.conn(), |c| {
        let mut q = sqlx::query(&sql).persistent(keys.len() == 1);
        for k in keys {
            q = q.bind(*k).bind(at);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await
}

/// Drops the scratch table.
pub async fn finish(db: &Db) -> StorageResult<()> {
    let mut tx = db.begin().await?;
    on_conn!(tx.conn(), |c| sqlx::query(
        "DROP TABLE IF EXISTS load_ceiling_probe"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await
}
