//! The dialog that shows a new secret (an API key, a webhook's signing secret) the one time it
//! can be read.

use super::{Button, Dialog};
use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

#[component]
pub fn SecretOnce(
    open: RwSignal<bool>,
    title: Msg,
    /// What to tell about the secret (that it is shown once).
    text: Msg,
    /// The dialog's test id; the secret's is `{test_id}-value`.
    test_id: &'static str,
    #[prop(into)] secret: Signal<String>,
    /// Forgets the secret when the dialog is closed with its button.
    #[prop(into)]
    forget: Callback<()>,
) -> impl IntoView {
    let t = use_t();
    view! {
        <Dialog open=open title=title test_id=test_id>
            <p>{t(text)}</p>
            <pre class="secret" data-testid=format!("{test_id}-value")>{move || secret.get()}</pre>
            <Button on_click=move |_| { open.set(false); forget.run(()); }>{t(Msg::Close)}</Button>
        </Dialog>
    }
}
