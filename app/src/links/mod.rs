//! Links into the Mini App from the bot: a button (`/app/go/<token>`) or a `startapp=<token>`
//! link names a section by an opaque token; opening it resolves the token, checks that the
//! section is still there and open to the person, and goes there. A target that is gone or not
//! theirs, and a forged token, get a clear page, never a 404.

pub mod page;

use crate::domain::{AttemptId, CertId, UserId};
use crate::error::AppError;
use crate::i18n::Msg;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A section of the Mini App a message can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkTarget {
    Achievements,
    /// A badge on "my achievements".
    Badge(i64),
    /// A certification: its theory, where everything starts.
    Certification(CertId),
    /// A running attempt: its test screen.
    Attempt(AttemptId),
    /// For managers: a person's results.
    TeamPerson(UserId),
    /// For managers: the latest results of their people.
    Team,
}

impl LinkTarget {
    /// `(kind, id, extra)` as stored.
    pub fn parts(self) -> (&'static str, i64, i64) {
        match self {
            LinkTarget::Achievements => ("achievements", 0, 0),
            LinkTarget::Badge(id) => ("badge", id, 0),
            LinkTarget::Certification(id) => ("certification", id.0, 0),
            LinkTarget::Attempt(id) => ("attempt", id.0, 0),
            LinkTarget::TeamPerson(id) => ("team_person", id.0, 0),
            LinkTarget::Team => ("team", 0, 0),
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Option<LinkTarget> {
        Some(match kind {
            "achievements" => LinkTarget::Achievements,
            "badge" => LinkTarget::Badge(id),
            "certification" => LinkTarget::Certification(CertId(id)),
            "attempt" => LinkTarget::Attempt(AttemptId(id)),
            "team_person" => LinkTarget::TeamPerson(UserId(id)),
            "team" => LinkTarget::Team,
            _ => return None,
        })
    }
}

/// Where a link leads the person who opened it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkResolution {
    /// A Mini App path.
    Go(String),
    /// The section is gone or not theirs: what to say, and a path that still makes sense.
    Gone { msg: Msg, fallback: String },
}

/// Whether a `start_param` / token can be ours: 1–64 of `A-Z a-z 0-9 _ -` (Telegram's rule).
pub fn plausible_token(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[server(prefix = "/api", endpoint = "app/link", output = crate::codec::Json)]
pub async fn resolve_link(token: String) -> Result<LinkResolution, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = crate::auth::guard::member().await?;
            service::resolve(&crate::auth::guard::state(), &actor, &token).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub mod service;
