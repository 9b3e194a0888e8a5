//! A button that asks first: it opens a dialog with the question, and the dialog's button
//! runs the action (showing its error, if any, in the dialog).

use super::{Button, ButtonKind, Dialog, ErrorNotice};
use crate::error::AppError;
use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

/// Test ids of the opener, the dialog and the dialog's button.
#[derive(Clone, Copy)]
pub struct ConfirmIds {
    pub open: &'static str,
    pub dialog: &'static str,
    pub submit: &'static str,
}

#[component]
pub fn ConfirmButton<F, Fut>(
    /// The opener's, the dialog's title and the dialog's button label.
    label: Msg,
    question: String,
    #[prop(optional)] kind: ButtonKind,
    ids: ConfirmIds,
    /// Runs on confirming; `done` runs after it succeeded.
    action: F,
    #[prop(into)] done: Callback<()>,
) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), AppError>> + 'static,
{
    let t = use_t();
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let confirm = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match action().await {
                Ok(()) => {
                    open.set(false);
                    done.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <Button kind=kind on_click=move |_| open.set(true) test_id=ids.open>{t(label)}</Button>
        <Dialog open title=label test_id=ids.dialog>
            <p>{question.clone()}</p>
            <ErrorNotice error=Signal::derive(move || error.get()) />
            <Button kind=ButtonKind::Danger busy=busy on_click=confirm test_id=ids.submit>{t(label)}</Button>
        </Dialog>
    }
}
