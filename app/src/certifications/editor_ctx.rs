//! What the certification editor's sections share: the change runner and the resources the
//! page creates once.

use crate::domain::CertId;
use crate::domain::certification::CertStatus;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang};
use crate::ui::{ToastKind, use_toasts};
use leptos::prelude::*;

/// Runs a change and reports it: a toast, then a reload of the editor on success.
#[derive(Clone, Copy)]
pub struct EditorCtx {
    pub id: CertId,
    pub reload: RwSignal<u32>,
    pub status: CertStatus,
}

impl EditorCtx {
    pub fn run<F>(self, fut: F, error: Option<RwSignal<Option<AppError>>>)
    where
        F: std::future::Future<Output = Result<(), AppError>> + 'static,
    {
        let toasts = use_toasts();
        let lang = use_lang();
        leptos::task::spawn_local(async move {
            match fut.await {
                Ok(()) => {
                    if let Some(e) = error {
                        e.set(None);
                    }
                    toasts.show(ToastKind::Success, Msg::Saved.text(lang));
                    self.reload.update(|r| *r += 1);
                }
                Err(e) => {
                    toasts.show(ToastKind::Error, e.message(lang));
                    if let Some(slot) = error {
                        slot.set(Some(e));
                    }
                }
            }
        });
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
