use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ButtonKind {
    #[default]
    Primary,
    Secondary,
    Danger,
    Ghost,
}

impl ButtonKind {
    fn class(self) -> &'static str {
        match self {
            ButtonKind::Primary => "btn btn-primary",
            ButtonKind::Secondary => "btn btn-secondary",
            ButtonKind::Danger => "btn btn-danger",
            ButtonKind::Ghost => "btn btn-ghost",
        }
    }
}

/// A button. `submit` makes it submit its form; `busy` disables it and marks it busy for
/// assistive technology while an action runs.
#[component]
pub fn Button(
    #[prop(optional)] kind: ButtonKind,
    #[prop(optional)] submit: bool,
    #[prop(into, optional)] busy: Signal<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(optional, into)] on_click: Option<Callback<()>>,
    #[prop(optional, into)] test_id: Option<&'static str>,
    #[prop(optional, into)] aria_label: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type=if submit { "submit" } else { "button" }
            class=kind.class()
            disabled=move || busy.get() || disabled.get()
            aria-busy=move || busy.get().then_some("true")
            aria-label=aria_label
            data-testid=test_id
            on:click=move |_| {
                if let Some(cb) = on_click {
                    cb.run(());
                }
            }
        >
            {children()}
        </button>
    }
}
