//! The safe horizon of a cursor over rows that concurrent transactions write.
//!
//! A cursor that remembers "the highest id seen" loses rows on PostgreSQL: ids (like
//! `updated_at`) are handed out when a row is written, not when its transaction commits, so a row
//! with a lower id can become visible after the cursor has moved past it. Such tables therefore
//! carry `tx`, the id of the transaction that wrote the row, and a cursor is the [`Position`]
//! `(tx, id)` of the last row read. A reader takes only rows whose `tx` is below the horizon —
//! the oldest transaction still running — so every row it can see later sorts after its cursor.
//!
//! On SQLite one writer commits at a time, so ids are in commit order: `tx` is 0 for every row
//! and the horizon is unlimited. Every cursor over a table (event consumers, the audit feed, the
//! API's `updated_since`, webhooks) goes through this module.

use super::{Conn, StorageResult};
use serde::{Deserialize, Serialize};

/// Where a cursor stands: the last row read, ordered by `(tx, id)`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Position {
    pub tx: i64,
    pub id: i64,
}

impl Position {
    pub const START: Position = Position { tx: 0, id: 0 };

    /// The compact text form used in opaque cursors (`"<tx>.<id>"`).
    pub fn encode(self) -> String {
        format!("{}.{}", self.tx, self.id)
    }

    pub fn decode(s: &str) -> Option<Position> {
        let (tx, id) = s.split_once('.')?;
        let p = Position {
            tx: tx.parse().ok()?,
            id: id.parse().ok()?,
        };
        (p.tx >= 0 && p.id >= 0).then_some(p)
    }
}

/// Transactions below this id have all ended: rows they wrote are final.
pub async fn horizon(c: Conn<'_>) -> StorageResult<i64> {
    match c {
        Conn::Sqlite(_) => Ok(i64::MAX),
        Conn::Postgres(c) => {
            let (h,): (i64,) =
                sqlx::query_as("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .fetch_one(c)
                    .await?;
            Ok(h)
        }
    }
}

/// The condition "after the cursor and below the horizon" over the columns `tx` and `id` of
/// `table`, with its parameters at `$p` (horizon), `$p+1` (cursor tx), `$p+2` (cursor id).
/// Bind them with [`Position`]'s fields in that order and sort by `tx, id`.
pub fn after_clause(table: &str, p: usize) -> String {
    format!(
        "{table}.tx < ${p} AND ({table}.tx > ${t} OR ({table}.tx = ${t} AND {table}.id > ${i}))",
        t = p + 1,
        i = p + 2
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_refuse_garbage() {
        let p = Position { tx: 7421, id: 12 };
        assert_eq!(Position::decode(&p.encode()), Some(p));
        for bad in ["", "1", "a.b", "1.-2", "-1.2", "1.2.3"] {
            assert_eq!(Position::decode(bad), None, "{bad}");
        }
        assert!(Position { tx: 1, id: 99 } < Position { tx: 2, id: 1 });
    }

    #[test]
    fn the_clause_names_the_parameters_in_order() {
        assert_eq!(
            after_clause("e", 3),
            "e.tx < $3 AND (e.tx > $4 OR (e.tx = $4 AND e.id > $5))"
        );
    }
}
