//! Typed identifiers. Telegram's numeric ids are converted at the boundary into [`TelegramId`].

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map(Self)
            }
        }
    };
}

id_type!(
    /// Our own user id (database key).
    UserId
);
id_type!(
    /// A Telegram user id as Telegram sends it.
    TelegramId
);
id_type!(BranchId);
id_type!(PositionId);
id_type!(SessionId);
id_type!(AuditId);
id_type!(EventId);
id_type!(QuestionId);
id_type!(CertId);
id_type!(BlockId);
id_type!(MaterialId);
id_type!(AttemptId);
