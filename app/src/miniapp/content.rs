//! Pieces shared by the Mini App and the admin's preview: a theory block, the additional
//! materials, and a question with its answer controls.

use crate::domain::attempt::QuestionView;
use crate::domain::certification::{BlockKind, Material, TheoryBlock};
use crate::domain::question::QuestionKind;
use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

/// One theory page.
#[component]
pub fn BlockContent(block: TheoryBlock) -> impl IntoView {
    let t = use_t();
    let title = (!block.title.is_empty())
        .then(|| view! { <h2 class="block-heading">{block.title.clone()}</h2> });
    let caption = (!crate::richtext::is_blank(&block.body))
        .then(|| view! { <div class="rich" inner_html=block.body.clone()></div> });
    let media = match block.kind {
        BlockKind::Text => ().into_any(),
        BlockKind::Image => view! { <img class="block-image" src=block.url.clone() alt=block.title.clone() /> }.into_any(),
        BlockKind::Video => {
            if let Some(embed) = embed_url(&block.url) {
                view! { <div class="video"><iframe src=embed title=block.title.clone() allowfullscreen=true></iframe></div> }.into_any()
            } else {
                view! { <video class="block-video" src=block.url.clone() controls=true playsinline=true preload="metadata"></video> }.into_any()
            }
        }
        BlockKind::File => view! {
            <a class="btn btn-secondary" href=block.url.clone() target="_blank" rel="noopener noreferrer" download="">{t(Msg::OpenFile)}</a>
        }.into_any(),
    };
    view! {
        <article class="theory-block" data-testid="theory-block">
            {title}
            {media}
            {caption}
        </article>
    }
}

/// YouTube and similar links play in an embedded player.
fn embed_url(url: &str) -> Option<String> {
    let id = url
        .strip_prefix("https://www.youtube.com/watch?v=")
        .or_else(|| url.strip_prefix("https://youtu.be/"))?;
    let id: String = id
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!id.is_empty()).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"))
}

#[component]
pub fn Materials(materials: Vec<Material>) -> impl IntoView {
    let t = use_t();
    (!materials.is_empty()).then(|| view! {
        <details class="materials-box" data-testid="materials">
            <summary>{t(Msg::Materials)}" ("{materials.len()}")"</summary>
            <ul>
                {materials.into_iter().map(|m| view! {
                    <li><a href=m.url target="_blank" rel="noopener noreferrer">{m.title}</a></li>
                }).collect_view()}
            </ul>
        </details>
    })
}

/// A question with its controls: choice buttons, or an order changed with up/down buttons.
/// `answer` is the answer as saved; `on_answer` is called with every change.
#[component]
pub fn QuestionCard(
    question: QuestionView,
    #[prop(into)] answer: Signal<Option<Vec<u32>>>,
    on_answer: Callback<Vec<u32>>,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let t = use_t();
    let kind = question.kind;
    let options = StoredValue::new(question.options.clone());
    let text_of = move |id: u32| {
        options
            .get_value()
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| o.text)
            .unwrap_or_default()
    };
    let hint = match kind {
        QuestionKind::Single => Msg::HintSingle,
        QuestionKind::Multiple => Msg::HintMultiple,
        QuestionKind::Ordering => Msg::HintOrdering,
    };
    let controls = match kind {
        QuestionKind::Single | QuestionKind::Multiple => view! {
            <ul class="choices" role=if kind == QuestionKind::Single { "radiogroup" } else { "group" }>
                {question.options.iter().map(|o| {
                    let id = o.id;
                    let chosen = move || answer.get().is_some_and(|a| a.contains(&id));
                    view! {
                        <li>
                            <button
                                type="button"
                                class="choice"
                                class:chosen=chosen
                                role=if kind == QuestionKind::Single { "radio" } else { "checkbox" }
                                aria-checked=move || chosen().to_string()
                                disabled=move || disabled.get()
                                data-testid="choice"
                                on:click=move |_| {
                                    let current = answer.get_untracked().unwrap_or_default();
                                    let next = if kind == QuestionKind::Single {
                                        vec![id]
                                    } else if current.contains(&id) {
                                        current.into_iter().filter(|x| *x != id).collect()
                                    } else {
                                        let mut v = current;
                                        v.push(id);
                                        v
                                    };
                                    if !next.is_empty() {
                                        on_answer.run(next);
                                    }
                                }
                            >
                                <span class="mark" aria-hidden="true"></span>
                                <span>{o.text.clone()}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any(),
        QuestionKind::Ordering => {
            let initial: Vec<u32> = question.options.iter().map(|o| o.id).collect();
            let order = move || answer.get().unwrap_or_else(|| initial.clone());
            let order = Signal::derive(order);
            let swap = move |i: usize, j: usize| {
                let mut v = order.get_untracked();
                if j < v.len() {
                    v.swap(i, j);
                    on_answer.run(v);
                }
            };
            view! {
                <ol class="ordering" data-testid="ordering">
                    {move || {
                        let v = order.get();
                        let n = v.len();
                        v.into_iter().enumerate().map(|(i, id)| view! {
                            <li>
                                <span class="grow">{text_of(id)}</span>
                                <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveUp) disabled=move || disabled.get() || i == 0
                                    on:click=move |_| { if i > 0 { swap(i, i - 1) } }>"↑"</button>
                                <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveDown) disabled=move || disabled.get() || i + 1 == n
                                    on:click=move |_| swap(i, i + 1)>"↓"</button>
                            </li>
                        }).collect_view()
                    }}
                </ol>
                {move || answer.get().is_none().then(|| {
                    let initial = order.get_untracked();
                    view! {
                        <button type="button" class="btn btn-secondary" data-testid="confirm-order"
                            disabled=move || disabled.get()
                            on:click=move |_| on_answer.run(initial.clone())>{t(Msg::ConfirmOrder)}</button>
                    }
                })}
            }.into_any()
        }
    };
    view! {
        <section class="question" data-testid="question">
            <div class="rich question-text" inner_html=question.text.clone()></div>
            {question.image_url.clone().map(|src| view! { <img class="question-image" src=src alt="" /> })}
            <p class="hint">{t(hint)}</p>
            {controls}
        </section>
    }
}

/// The rules of a certification, in words, before the theory (its card and its first page).
#[component]
pub fn RulesFacts(rules: crate::taking::CertRules) -> impl IntoView {
    use crate::domain::certification::TimerMode;
    use crate::i18n::{minutes, points, use_lang, use_offset};
    let lang = use_lang();
    let offset = use_offset();
    let m = minutes(lang, (rules.time_limit_secs + 59) / 60);
    let time = match rules.timer_mode {
        TimerMode::PauseWhileAway => Msg::RuleTimePause.with(lang, &[("m", &m)]),
        TimerMode::Continuous => Msg::RuleTimeRuns.with(lang, &[("m", &m)]),
    };
    let left = (rules.max_attempts - rules.attempts_used).max(0);
    view! {
        <ul class="rules" data-testid="rules">
            {rules.closes_at.map(|d| view! { <li data-rule="deadline">{Msg::RuleDeadline.with(lang, &[("d", &d.format_datetime(offset))])}</li> })}
            <li data-rule="time">{time}</li>
            {rules.away_limit_secs.map(|s| view! { <li data-rule="away">{Msg::AwayLimitHint.with(lang, &[("m", &minutes(lang, (s + 59) / 60))])}</li> })}
            <li data-rule="attempts">{Msg::RuleAttempts.with(lang, &[("left", &left.to_string()), ("max", &rules.max_attempts.to_string())])}</li>
            <li data-rule="threshold">{Msg::RuleThreshold.with(lang, &[("p", &rules.pass_threshold.to_string())])}</li>
            {rules.points.filter(|p| *p > 0).map(|p| view! { <li data-rule="points">{Msg::RulePoints.with(lang, &[("n", &points(lang, p))])}</li> })}
        </ul>
    }
}
