//! What the certification editor's sections share: how a section posts a change and the resources the
//! page creates once.

use crate::domain::CertId;
use crate::domain::certification::CertStatus;
use crate::error::AppError;
use crate::ui::Submit;
use leptos::prelude::*;

/// The editor a section belongs to.
#[derive(Clone, Copy)]
pub struct EditorCtx {
    pub id: CertId,
    pub reload: RwSignal<u32>,
    pub status: CertStatus,
}

impl EditorCtx {
    /// A section's server function: "Saved", `after` and a reload of the editor on success,
    /// the refusal as a toast too (the page is long; fields show theirs where they are).
    pub fn submit<S>(self, after: impl Fn() + 'static) -> Submit<S>
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Submit::saving(self.reload, after)
    }
}

/// Data the editor's sections load, created once by the page (outside any Suspense body).
#[derive(Clone, Copy)]
pub struct EditorResources {
    /// What the block list last announced to screen readers (kept across reloads).
    pub announce: RwSignal<String>,
    /// The block position whose drag handle gets the focus back after a reload (keyboard moves).
    pub refocus: RwSignal<Option<usize>>,
    pub(super) targets: Resource<Result<super::AssignOptions, AppError>>,
    pub(super) picker_open: RwSignal<bool>,
    pub(super) picker_search: RwSignal<String>,
    pub(super) picker_found:
        Resource<Result<Option<crate::paging::Page<crate::domain::question::Question>>, AppError>>,
}
