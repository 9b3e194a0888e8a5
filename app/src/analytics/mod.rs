//! Certification statistics next to the results (certifications module): the funnel
//! (assigned, read, attempted, passed), score distributions of best and of all attempts,
//! time used, attempts needed to pass, and per question facility, discrimination, the options
//! chosen and flags (`domain::stats`).

#[cfg(feature = "ssr")]
pub mod backfill;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::CertId;
use crate::domain::stats::QuestionFlag;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

pub use crate::model::analytics::*;

#[server(prefix = "/api", endpoint = "certifications/stats", input = GetUrl, output = crate::codec::Json)]
pub async fn certification_stats(id: CertId, first_only: bool) -> Result<CertStats, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::stats(&guard::state(), &actor, id, first_only).await
        }
        .await,
    )
}

/// How a flag reads.
pub fn flag_msg(f: QuestionFlag) -> crate::i18n::Msg {
    use crate::i18n::Msg;
    match f {
        QuestionFlag::TooEasy => Msg::StatsTooEasy,
        QuestionFlag::TooHard => Msg::StatsTooHard,
        QuestionFlag::NegativeDiscrimination => Msg::StatsNegative,
    }
}

pub fn flags_text(flags: &[QuestionFlag], lang: crate::i18n::Lang) -> String {
    flags
        .iter()
        .map(|f| flag_msg(*f).text(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "✓ right — 12; wrong — 3": each option, right ones ticked, with how often it was chosen.
pub fn options_text(options: &[OptionStat]) -> String {
    options
        .iter()
        .map(|o| {
            format!(
                "{}{} — {}",
                if o.correct { "✓ " } else { "" },
                o.text,
                o.chosen
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
