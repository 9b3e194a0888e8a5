//! Taking a certification in the Mini App: theory reading, attempts, answers, results,
//! history and review; and, for the admin panel, results per certification and resets.

// The results page's filter arrives as flat form fields (its export link and the API tests
// use the same names), and the server macro's browser side drops an item's own `allow`.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
pub mod finalize;
#[cfg(feature = "ssr")]
pub mod finishes;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod shown;
#[cfg(feature = "ssr")]
pub mod start_reads;
#[cfg(feature = "ssr")]
pub mod starts;
#[cfg(feature = "ssr")]
pub mod touches;

use crate::domain::{AttemptId, BlockId, CertId, UserId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

pub use crate::model::taking::*;

#[cfg(feature = "ssr")]
fn state() -> crate::state::AppState {
    crate::auth::guard::state()
}

/// The Mini App request, as the taking service takes it.
#[cfg(feature = "ssr")]
fn taker() -> service::Taker {
    use crate::auth::{Surface, guard};
    service::Taker {
        token: guard::session_token(Surface::MiniApp),
        origin: guard::origin("miniapp"),
        render: !guard::is_server_fn_call(),
    }
}

#[server(prefix = "/api", endpoint = "app/certifications", input = GetUrl, output = crate::codec::Json)]
pub async fn my_certifications() -> Result<Vec<MyCert>, AppError> {
    crate::auth::guard::respond(service::my_certifications(&state(), &taker()).await)
}

#[server(prefix = "/api", endpoint = "app/theory", output = crate::codec::Json)]
pub async fn theory(cert_id: CertId) -> Result<TheoryData, AppError> {
    crate::auth::guard::respond(service::theory(&state(), &taker(), cert_id).await)
}

/// A theory page is on screen (the reading time is measured by the server).
#[server(prefix = "/api", endpoint = "app/theory/shown", output = crate::codec::Json)]
pub async fn page_shown(cert_id: CertId, block_id: BlockId) -> Result<ReadState, AppError> {
    crate::auth::guard::respond(service::page_shown(&state(), &taker(), cert_id, block_id).await)
}

/// Starts an attempt, with its test screen, or returns the one in progress (a double tap or two
/// devices never make two).
#[server(prefix = "/api", endpoint = "app/attempts/start", output = crate::codec::Json)]
pub async fn start_attempt(cert_id: CertId) -> Result<Started, AppError> {
    crate::auth::guard::respond(service::start(&state(), &taker(), cert_id).await)
}

/// The test screen: the attempt in progress as the server has it.
#[server(prefix = "/api", endpoint = "app/attempts/current", output = crate::codec::Json)]
pub async fn current_attempt(cert_id: CertId) -> Result<TestEntry, AppError> {
    crate::auth::guard::respond(service::current(&state(), &taker(), cert_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/answer", input = Json, output = crate::codec::Json)]
pub async fn save_answer(
    attempt_id: AttemptId,
    index: i64,
    answer: Vec<u32>,
) -> Result<ClockAck, AppError> {
    crate::auth::guard::respond(
        service::save_answer(&state(), &taker(), attempt_id, index, answer).await,
    )
}

/// The user is on the test screen (at question `index`).
#[server(prefix = "/api", endpoint = "app/attempts/heartbeat", output = crate::codec::Json)]
pub async fn heartbeat(attempt_id: AttemptId, index: i64) -> Result<ClockAck, AppError> {
    crate::auth::guard::respond(service::heartbeat(&state(), &taker(), attempt_id, index).await)
}

/// The user moves to question `index`: in pause mode this reveals it (and records when).
#[server(prefix = "/api", endpoint = "app/attempts/show", output = crate::codec::Json)]
pub async fn show_question(attempt_id: AttemptId, index: i64) -> Result<ShownQuestion, AppError> {
    crate::auth::guard::respond(service::show(&state(), &taker(), attempt_id, index).await)
}

/// The user left the test screen (back to the theory, the app hidden or closed: the page sends
/// this as a beacon). In pause mode the clock stops now, until the user resumes.
#[server(prefix = "/api", endpoint = "app/attempts/leave", output = crate::codec::Json)]
pub async fn leave_test(attempt_id: AttemptId) -> Result<(), AppError> {
    crate::auth::guard::respond(service::leave(&state(), &taker(), attempt_id).await)
}

/// Finishes the attempt and returns the scored result.
#[server(prefix = "/api", endpoint = "app/attempts/finish", output = crate::codec::Json)]
pub async fn finish_attempt(attempt_id: AttemptId) -> Result<ResultView, AppError> {
    crate::auth::guard::respond(service::finish(&state(), &taker(), attempt_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/result", output = crate::codec::Json)]
pub async fn attempt_result(attempt_id: AttemptId) -> Result<ResultState, AppError> {
    crate::auth::guard::respond(service::result(&state(), &taker(), attempt_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/history", output = crate::codec::Json)]
pub async fn my_history(cert_id: CertId) -> Result<Vec<AttemptSummary>, AppError> {
    crate::auth::guard::respond(service::history(&state(), &taker(), cert_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/review", output = crate::codec::Json)]
pub async fn attempt_review(attempt_id: AttemptId) -> Result<Vec<ReviewItem>, AppError> {
    crate::auth::guard::respond(service::review(&state(), &taker(), attempt_id).await)
}

#[server(prefix = "/api", endpoint = "certifications/preview", output = crate::codec::Json)]
pub async fn preview_certification(id: CertId) -> Result<PreviewData, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::preview(&guard::state(), id).await
        }
        .await,
    )
}

/// One page of a certification's results, filtered and sorted (every argument but `id` is
/// optional: `flagged`, only people with an attempt the integrity record flags; `search`, part
/// of the name; `page` 1-based).
#[server(prefix = "/api", endpoint = "certifications/results", output = crate::codec::Json)]
pub async fn certification_results(
    id: CertId,
    flagged: Option<bool>,
    search: Option<String>,
    branch: Option<crate::domain::BranchId>,
    position: Option<crate::domain::PositionId>,
    state: Option<crate::domain::compliance::CellKind>,
    sort: Option<ResultsSort>,
    desc: Option<bool>,
    page: Option<i64>,
) -> Result<CertResults, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            let filter = ResultsFilter {
                search,
                branch,
                position,
                state,
                flagged: flagged.unwrap_or(false),
            };
            service::results(
                &guard::state(),
                &actor,
                id,
                &filter,
                sort.unwrap_or_default(),
                desc.unwrap_or(false),
                Some(page.unwrap_or(1)),
            )
            .await
        }
        .await,
    )
}

/// A bulk action on a certification's results: the `selected` people among those the filter
/// keeps, or all of them; `dry_run` only counts, for the preview.
#[server(prefix = "/api", endpoint = "certifications/results/bulk", input = Json, output = crate::codec::Json)]
pub async fn results_bulk(
    id: CertId,
    filter: ResultsFilter,
    selected: Option<Vec<UserId>>,
    action: BulkAction,
    dry_run: bool,
) -> Result<BulkOutcome, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::bulk(
                &guard::state(),
                &actor,
                &guard::origin("admin"),
                id,
                &filter,
                selected.as_deref(),
                &action,
                dry_run,
            )
            .await
        }
        .await,
    )
}

/// An attempt's integrity record: its timeline and flags (from a certification's results or a
/// person's card).
#[server(prefix = "/api", endpoint = "certifications/attempt", output = crate::codec::Json)]
pub async fn attempt_integrity(id: AttemptId) -> Result<AttemptRecord, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = results_admin().await?;
            service::record(&guard::state(), &actor, id).await
        }
        .await,
    )
}

/// An admin with the certifications module, or the users module (a person's card).
#[cfg(feature = "ssr")]
async fn results_admin() -> Result<crate::domain::actor::Actor, AppError> {
    let actor = crate::auth::guard::admin().await?;
    if !actor
        .modules
        .contains(crate::domain::permissions::Module::Users)
    {
        crate::auth::service::require(&actor, crate::domain::permissions::Module::Certifications)?;
    }
    Ok(actor)
}

/// Gives a person one more attempt (their newest counted attempt stops counting).
#[server(prefix = "/api", endpoint = "certifications/grant-attempt", output = crate::codec::Json)]
pub async fn grant_attempt(id: CertId, user_id: UserId) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    guard::respond(
        async {
            // From the certification's results (certifications module) or the user card (users module).
            let actor = results_admin().await?;
            service::grant_attempt(
                &guard::state(),
                &By::Person(actor),
                &guard::origin("admin"),
                id,
                user_id,
            )
            .await
        }
        .await,
    )
}

/// Resets a user's progress on a certification (old attempts stay in history, marked reset).
#[server(prefix = "/api", endpoint = "certifications/reset", output = crate::codec::Json)]
pub async fn reset_progress(
    id: CertId,
    user_id: UserId,
    reason: String,
    require_reread: bool,
) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    guard::respond(
        async {
            // From the certification's results (certifications module) or the user card (users module).
            let actor = results_admin().await?;
            service::reset(
                &guard::state(),
                &By::Person(actor),
                &guard::origin("admin"),
                id,
                user_id,
                &reason,
                require_reread,
            )
            .await
        }
        .await,
    )
}
