//! The types of `crate::dictionaries` that storage returns.

use serde::{Deserialize, Serialize};

/// An entry of a dictionary (a branch or a position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DictEntry {
    pub id: i64,
    pub name: String,
}
