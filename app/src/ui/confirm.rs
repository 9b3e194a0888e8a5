//! A button that asks first: it opens a dialog with the question, and the dialog's button
//! runs the action (showing its error, if any, in the dialog).

use super::{Button, ButtonKind, Dialog, ErrorNotice, Submit};
use crate::error::AppError;
use crate::i18n::{Msg, use_t};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Test ids of the opener, the dialog and the dialog's button.
#[derive(Clone, Copy)]
pub struct ConfirmIds {
    pub open: &'static str,
    pub dialog: &'static str,
    pub submit: &'static str,
}

#[component]
pub fn ConfirmButton<S, I>(
    /// The opener's, the dialog's title and the dialog's button label.
    label: Msg,
    question: String,
    #[prop(optional)] kind: ButtonKind,
    ids: ConfirmIds,
    /// The server function's input, posted on confirming; `done` runs after it succeeded.
    input: I,
    #[prop(into)] done: Callback<()>,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    I: Fn() -> S + Send + Sync + 'static,
{
    let t = use_t();
    let open = RwSignal::new(false);
    let input = StoredValue::new(input);
    let submit = Submit::<S>::new().done(move |_| {
        open.set(false);
        done.run(());
    });
    view! {
        <Button kind=kind on_click=move |_| open.set(true) test_id=ids.open>{t(label)}</Button>
        <Dialog open title=label test_id=ids.dialog>
            <p>{question.clone()}</p>
            <ErrorNotice error=submit.error() />
            <Button kind=ButtonKind::Danger busy=submit.busy() on_click=move |_| submit.run(input.with_value(|i| i())) test_id=ids.submit>{t(label)}</Button>
        </Dialog>
    }
}
