//! A small rich-text editor: a contenteditable area with a toolbar (bold, italic, lists,
//! link). The server sanitises whatever HTML it receives.

use crate::error::AppError;
use crate::i18n::{Msg, use_t};
use crate::ui::FieldErrorText;
use leptos::html::Div;
use leptos::prelude::*;

#[component]
pub fn RichText(
    name: &'static str,
    label: Msg,
    /// The HTML; the editor writes every change into it.
    value: RwSignal<String>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, optional)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_t();
    let editor = NodeRef::<Div>::new();
    let label_id = format!("rt-{name}-label");
    let err_id = format!("rt-{name}-error");
    let msg = Signal::derive(move || error.get().and_then(|e| e.field(name)));
    // The initial HTML is written once; later the editor owns its DOM (re-setting it on every
    // keystroke would move the caret).
    let initial = value.get_untracked();
    let command = move |cmd: &'static str, arg: Option<String>| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(doc) = document().dyn_ref::<web_sys::HtmlDocument>() {
                let _ = doc.exec_command_with_show_ui_and_value(
                    cmd,
                    false,
                    arg.as_deref().unwrap_or(""),
                );
            }
            if let Some(el) = editor.get() {
                value.set(el.inner_html());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (cmd, arg);
    };
    let link = move |_| {
        #[cfg(feature = "hydrate")]
        if let Ok(Some(url)) = window().prompt_with_message("https://")
            && (url.starts_with("https://") || url.starts_with("http://"))
        {
            command("createLink", Some(url));
        }
    };
    view! {
        <div class="field" class:field-invalid=move || msg.get().is_some()>
            <span class="label" id=label_id.clone()>{t(label)}</span>
            <div class="rt-toolbar" role="toolbar" aria-label=t(label)>
                <button type="button" class="btn btn-ghost" aria-label=t(Msg::RtBold) on:click=move |_| command("bold", None)><b aria-hidden="true">"B"</b></button>
                <button type="button" class="btn btn-ghost" aria-label=t(Msg::RtItalic) on:click=move |_| command("italic", None)><i aria-hidden="true">"I"</i></button>
                <button type="button" class="btn btn-ghost" aria-label=t(Msg::RtBullets) on:click=move |_| command("insertUnorderedList", None)><span aria-hidden="true">"•"</span></button>
                <button type="button" class="btn btn-ghost" aria-label=t(Msg::RtNumbers) on:click=move |_| command("insertOrderedList", None)><span aria-hidden="true">"1."</span></button>
                <button type="button" class="btn btn-ghost" aria-label=t(Msg::RtLink) on:click=link><span aria-hidden="true">"↗"</span></button>
            </div>
            <div
                class="rt-editor"
                node_ref=editor
                contenteditable=move || if disabled.get() { "false" } else { "true" }
                role="textbox"
                aria-multiline="true"
                aria-labelledby=label_id
                aria-describedby=err_id.clone()
                data-testid=format!("rt-{name}")
                inner_html=initial
                on:input=move |_| {
                    if let Some(el) = editor.get() {
                        value.set(el.inner_html());
                    }
                }
            ></div>
            <FieldErrorText id=err_id msg=msg />
        </div>
    }
}
