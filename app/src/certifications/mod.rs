//! Certification authoring (module "certifications"): settings, theory with versions, the
//! question set, assignments and the lifecycle.

pub mod attempt_record;
pub mod editor;
pub mod editor_ctx;
pub mod list;
pub mod preview;
pub mod results;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod service;
pub mod theory_editor;

use crate::domain::certification::{
    BlockInput, CertSettings, CertStatus, Certification, LifecycleAction, Material, MaterialKind,
    TheoryBlock,
};
use crate::domain::question::{Question, QuestionContent};
use crate::domain::{BlockId, CertId, MaterialId, QuestionId, Timestamp};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

pub use crate::domain::certification::LifecycleAction as Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssignKind {
    Position,
    Branch,
    User,
}

/// A row of the certifications list (the admin panel's and the API's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CertListItem {
    pub id: CertId,
    pub title: String,
    pub status: CertStatus,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    pub questions: i64,
    pub blocks: i64,
}

/// An assignment with the name of what it targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    pub kind: AssignKind,
    pub target_id: i64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    pub version: i64,
    pub require_reread: bool,
    pub created_at: Timestamp,
}

/// Everything the editor shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertEditorData {
    pub cert: Certification,
    pub blocks: Vec<TheoryBlock>,
    pub materials: Vec<Material>,
    pub questions: Vec<Question>,
    pub assignments: Vec<AssignmentView>,
    pub versions: Vec<VersionView>,
    /// People the assignments reach (active users).
    pub assigned_users: i64,
    /// The reader lacks the question bank: the questions come without their answer keys and
    /// the editor shows them read-only.
    #[serde(default)]
    pub keys_hidden: bool,
}

#[server(prefix = "/api", endpoint = "certifications/list", output = crate::codec::Json)]
pub async fn list_certifications(
    status: Option<CertStatus>,
    search: Option<String>,
    page: i64,
) -> Result<Page<CertListItem>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::list(&guard::state(), status, search, page).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/create", output = crate::codec::Json)]
pub async fn create_certification(title: String) -> Result<CertId, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::create(&guard::state(), &actor, title, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/get", output = crate::codec::Json)]
pub async fn certification_editor(id: CertId) -> Result<CertEditorData, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::editor(&guard::state(), &actor, id).await
        }
        .await,
    )
}

/// Saves the settings; after opening, changes to locked settings are refused field by field.
#[server(prefix = "/api", endpoint = "certifications/settings", input = Json, output = crate::codec::Json)]
pub async fn update_settings(
    id: CertId,
    settings: CertSettings,
) -> Result<Certification, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::update_settings(
                &guard::state(),
                &actor,
                id,
                settings,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/lifecycle", output = crate::codec::Json)]
pub async fn change_status(id: CertId, action: LifecycleAction) -> Result<Certification, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::lifecycle(&guard::state(), &actor, id, action, &guard::origin("admin")).await
        }
        .await,
    )
}

/// Opens a closed certification again, until a new close date.
#[server(prefix = "/api", endpoint = "certifications/reopen", input = Json, output = crate::codec::Json)]
pub async fn reopen_certification(
    id: CertId,
    closes_at: Option<crate::domain::Timestamp>,
) -> Result<Certification, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::reopen(
                &guard::state(),
                &actor,
                id,
                closes_at,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Adds a theory block at the end.
#[server(prefix = "/api", endpoint = "certifications/blocks/add", input = Json, output = crate::codec::Json)]
pub async fn add_block(
    id: CertId,
    block: BlockInput,
    require_reread: bool,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::add_block(
                &guard::state(),
                &actor,
                id,
                block,
                require_reread,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/blocks/update", input = Json, output = crate::codec::Json)]
pub async fn update_block(
    block_id: BlockId,
    block: BlockInput,
    require_reread: bool,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::update_block(
                &guard::state(),
                &actor,
                block_id,
                block,
                require_reread,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/blocks/delete", output = crate::codec::Json)]
pub async fn delete_block(block_id: BlockId, require_reread: bool) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::delete_block(
                &guard::state(),
                &actor,
                block_id,
                require_reread,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Saves a new order of the current version's blocks (all of them, in one transaction).
#[server(prefix = "/api", endpoint = "certifications/blocks/reorder", input = Json, output = crate::codec::Json)]
pub async fn reorder_blocks(
    id: CertId,
    order: Vec<BlockId>,
    require_reread: bool,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::reorder_blocks(
                &guard::state(),
                &actor,
                id,
                order,
                require_reread,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/materials/add", input = Json, output = crate::codec::Json)]
pub async fn add_material(
    id: CertId,
    kind: MaterialKind,
    title: String,
    url: String,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::add_material(
                &guard::state(),
                &actor,
                id,
                kind,
                title,
                url,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/materials/delete", output = crate::codec::Json)]
pub async fn delete_material(material_id: MaterialId) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::delete_material(
                &guard::state(),
                &actor,
                material_id,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Replaces the question set (in order).
#[server(prefix = "/api", endpoint = "certifications/questions", input = Json, output = crate::codec::Json)]
pub async fn set_questions(id: CertId, questions: Vec<QuestionId>) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::set_questions(
                &guard::state(),
                &actor,
                id,
                questions,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Creates a question in the bank and adds it to the certification.
#[server(prefix = "/api", endpoint = "certifications/questions/create", input = Json, output = crate::codec::Json)]
pub async fn create_question_in(
    id: CertId,
    content: QuestionContent,
) -> Result<Question, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::create_question_in(
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

/// Questions of the bank to pick from (certifications module; no question bank module needed).
#[server(prefix = "/api", endpoint = "certifications/questions/pick", output = crate::codec::Json)]
pub async fn pickable_questions(
    search: Option<String>,
    page: i64,
) -> Result<Page<Question>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::pickable(&guard::state(), &actor, search, page).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "certifications/assign", output = crate::codec::Json)]
pub async fn add_assignment(id: CertId, kind: AssignKind, target_id: i64) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    use crate::domain::permissions::Module;
    guard::respond(
        async {
            let actor = guard::module(Module::Certifications).await?;
            service::add_assignment(
                &guard::state(),
                &By::Person(actor),
                &guard::origin("admin"),
                id,
                kind,
                target_id,
            )
            .await
        }
        .await,
    )
}

/// Removes an assignment; refused once the certification has opened.
#[server(prefix = "/api", endpoint = "certifications/unassign", output = crate::codec::Json)]
pub async fn remove_assignment(
    id: CertId,
    kind: AssignKind,
    target_id: i64,
) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    use crate::domain::permissions::Module;
    guard::respond(
        async {
            let actor = guard::module(Module::Certifications).await?;
            service::remove_assignment(
                &guard::state(),
                &By::Person(actor),
                &guard::origin("admin"),
                id,
                kind,
                target_id,
            )
            .await
        }
        .await,
    )
}

/// Names to assign to: positions, branches and active users.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AssignOptions {
    pub positions: Vec<(i64, String)>,
    pub branches: Vec<(i64, String)>,
    pub users: Vec<(i64, String)>,
}

#[server(prefix = "/api", endpoint = "certifications/assign_targets", output = crate::codec::Json)]
pub async fn assign_targets() -> Result<AssignOptions, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::assign_targets(&guard::state(), &actor).await
        }
        .await,
    )
}
