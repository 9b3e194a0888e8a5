//! How a form posts its one server function: a `ServerAction` whose pending state is the
//! form's busy sign and whose last answer is the form's error, with what follows a success
//! (and, where the page wants it, a failure) said once beside it.
//!
//! Forms whose fields are the function's arguments use `ActionForm` over the same action (it
//! also works before hydration); the others build their input and `run` it.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A form's server function and what it answered last.
pub struct Submit<S>
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: 'static,
{
    pub action: ServerAction<S>,
    /// A refusal found before posting (a field the browser can already judge).
    refused: RwSignal<Option<AppError>>,
}

impl<S> Clone for Submit<S>
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Submit<S>
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: 'static,
{
}

impl<S> Default for Submit<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Submit<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    pub fn new() -> Self {
        Self {
            action: ServerAction::new(),
            refused: RwSignal::new(None),
        }
    }

    /// The long pages' way (the certification editor, the user card): "Saved", `after` and a
    /// reload of the page's data on success; the refusal as a toast too, since the field that
    /// shows it may be far from the button.
    pub fn saving(reload: RwSignal<u32>, after: impl Fn() + 'static) -> Self {
        let toasts = super::use_toasts();
        let lang = crate::i18n::use_lang();
        Self::new()
            .done(move |_| {
                toasts.show(
                    super::ToastKind::Success,
                    crate::i18n::Msg::Saved.text(lang),
                );
                after();
                reload.update(|r| *r += 1);
            })
            .failed(move |e| toasts.show(super::ToastKind::Error, e.message(lang)))
    }

    /// Runs `done` with each successful answer (untracked: it may read and write any signal).
    pub fn done(self, done: impl Fn(S::Output) + 'static) -> Self {
        let value = self.action.value();
        Effect::new(move |_| {
            if let Some(Ok(out)) = value.get() {
                untrack(|| done(out));
            }
        });
        self
    }

    /// Runs `failed` with each refusal from the server.
    pub fn failed(self, failed: impl Fn(AppError) + 'static) -> Self {
        let value = self.action.value();
        Effect::new(move |_| {
            if let Some(Err(e)) = value.get() {
                untrack(|| failed(e));
            }
        });
        self
    }

    /// Posts `input`, forgetting an earlier refusal.
    pub fn run(&self, input: S) {
        self.refused.set(None);
        self.action.dispatch(input);
    }

    /// Shows a refusal found before posting, as the server's would be shown.
    pub fn refuse(&self, error: AppError) {
        self.refused.set(Some(error));
    }

    /// Forgets the last answer and refusal (a dialog opened afresh shows no old error).
    pub fn forget(&self) {
        self.refused.set(None);
        self.action.value().set(None);
    }

    pub fn busy(&self) -> Signal<bool> {
        self.action.pending().into()
    }

    /// The refusal to show: one found before posting, else the server's last answer's.
    pub fn error(&self) -> Signal<Option<AppError>> {
        let this = *self;
        Signal::derive(move || this.last_error())
    }

    /// [`Submit::error`]'s value, read (and tracked) where it is needed, for signals that
    /// combine several forms' errors.
    pub fn last_error(&self) -> Option<AppError> {
        self.refused.get().or_else(|| {
            self.action
                .value()
                .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
        })
    }

    /// [`Submit::busy`]'s value, read (and tracked) where it is needed.
    pub fn is_busy(&self) -> bool {
        self.action.pending().get()
    }
}
