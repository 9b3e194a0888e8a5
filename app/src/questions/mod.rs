//! The question bank (module "question bank"): list, edit, duplicate, archive, import, export.

pub mod import;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::QuestionId;
use crate::domain::question::{Question, QuestionContent, QuestionKind};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeFormat {
    Json,
    Csv,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub imported: usize,
    /// Problems by row (1-based, as in the file); when not empty, nothing was imported.
    pub errors: Vec<import::RowError>,
}

#[server(prefix = "/api", endpoint = "questions/list", output = crate::codec::Json)]
pub async fn list_questions(
    search: Option<String>,
    kind: Option<QuestionKind>,
    tag: Option<String>,
    archived: bool,
    page: i64,
) -> Result<Page<Question>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::list(&guard::state(), search, kind, tag, archived, page).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "questions/tags", output = crate::codec::Json)]
pub async fn question_tags() -> Result<Vec<String>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::tags(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "questions/get", output = crate::codec::Json)]
pub async fn get_question(id: QuestionId) -> Result<Question, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::get(&guard::state(), id).await
        }
        .await,
    )
}

/// Creates (`id` = None) or edits a question.
#[server(prefix = "/api", endpoint = "questions/save", input = Json, output = crate::codec::Json)]
pub async fn save_question(
    id: Option<QuestionId>,
    content: QuestionContent,
) -> Result<Question, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::save(
                &guard::state(),
                &actor,
                id,
                content,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "questions/duplicate", output = crate::codec::Json)]
pub async fn duplicate_question(id: QuestionId) -> Result<Question, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::duplicate(&guard::state(), &actor, id, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "questions/archive", output = crate::codec::Json)]
pub async fn archive_question(id: QuestionId, archived: bool) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::archive(
                &guard::state(),
                &actor,
                id,
                archived,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Deletes a question no certification uses; used ones can only be archived.
#[server(prefix = "/api", endpoint = "questions/delete", output = crate::codec::Json)]
pub async fn delete_question(id: QuestionId) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::delete(&guard::state(), &actor, id, &guard::origin("admin")).await
        }
        .await,
    )
}

/// Imports every question of the file, or none when any row is wrong.
#[server(prefix = "/api", endpoint = "questions/import", input = Json, output = crate::codec::Json)]
pub async fn import_questions(
    format: ExchangeFormat,
    data: String,
) -> Result<ImportReport, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::import(
                &guard::state(),
                &actor,
                format,
                data,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "questions/export", output = crate::codec::Json)]
pub async fn export_questions(format: ExchangeFormat) -> Result<String, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::QuestionBank).await?;
            service::export(&guard::state(), format).await
        }
        .await,
    )
}
