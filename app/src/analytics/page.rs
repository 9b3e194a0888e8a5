//! The statistics section of a certification's results page: the funnel and the score
//! distribution as accessible SVG (title, description, and the numbers as a table), and the
//! per-question analysis with flags linked to the question editor.

use super::{CertStats, QuestionStat, certification_stats};
use crate::domain::CertId;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::ui::{Checkbox, ErrorNotice, Spinner};
use leptos::prelude::*;

/// Horizontal bars, one per `(label, value)`, scaled to the largest, in HTML: they fill the
/// width, their labels keep their size, each shows its value (and says it on hover).
#[component]
fn Bars(
    id: &'static str,
    title: String,
    unit: String,
    desc: String,
    bars: Vec<(String, i64)>,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let (labelled, described) = (title_id.clone(), desc_id.clone());
    let rows = bars
        .iter()
        .map(|(label, v)| {
            let width = v * 100 / max;
            let tip = format!("{label}: {v}");
            view! {
                <div class="hbar-row" title=tip>
                    <span class="hbar-label">{label.clone()}</span>
                    <span class="hbar-track"><span class="hbar-fill" style=format!("width:{width}%")></span></span>
                    <span class="hbar-value">{*v}</span>
                </div>
            }
        })
        .collect_view();
    let table = bars
        .into_iter()
        .map(|(l, v)| view! { <tr><th scope="row">{l}</th><td class="num">{v}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart-figure" data-testid=id role="img" aria-labelledby=labelled aria-describedby=described>
            <figcaption class="chart-title"><span id=title_id>{title.clone()}</span>" · "{unit}</figcaption>
            <span id=desc_id class="visually-hidden">{desc}</span>
            <div class="hbars" aria-hidden="true">{rows}</div>
        </figure>
        <div class="visually-hidden"><table><caption>{title}</caption><tbody>{table}</tbody></table></div>
    }
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0} %")).unwrap_or_else(|| "—".into())
}

fn index(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

#[component]
pub fn CertStatsSection(#[prop(into)] id: Signal<Option<CertId>>) -> impl IntoView {
    let t = use_t();
    let first_only = RwSignal::new(false);
    let data = Resource::new(
        move || (id.get(), first_only.get()),
        |(id, first)| async move {
            match id {
                Some(id) => certification_stats(id, first).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <section class="card section" aria-labelledby="stats-h" data-testid="cert-stats">
            <h2 id="stats-h">{t(Msg::StatsTitle)}</h2>
            <Checkbox name="first-only" label=Msg::StatsFirstOnly checked=first_only />
            {move || id.get().map(|id| {
                let href = move |ext: &str| {
                    format!("/admin/certifications/{id}/statistics.{ext}?first_only={}", first_only.get())
                };
                view! {
                    <p class="actions">
                        <a class="btn btn-secondary" href=move || href("csv") download="" data-testid="stats-export">{t(Msg::ExportCsv)}</a>
                        <a class="btn btn-secondary" href=move || href("xlsx") download="" data-testid="stats-export-xlsx">{t(Msg::ExportXlsx)}</a>
                    </p>
                }
            })}
            <Transition fallback=|| view! { <Spinner /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                        Ok(s) => stats_view(s, t).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn stats_view(
    s: CertStats,
    t: impl Fn(Msg) -> &'static str + Copy + Send + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let funnel = vec![
        (t(Msg::StatsAssigned).to_owned(), s.assigned),
        (t(Msg::StatsRead).to_owned(), s.read),
        (t(Msg::StatsAttempted).to_owned(), s.attempted),
        (t(Msg::StatsPassed).to_owned(), s.passed),
    ];
    let funnel_desc = funnel
        .iter()
        .map(|(l, v)| format!("{l}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let buckets: Vec<(String, i64)> = s
        .best_histogram
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let hi = if i == 9 { 100 } else { i * 10 + 9 };
            (format!("{}–{hi} %", i * 10), *n)
        })
        .collect();
    let hist_desc = buckets
        .iter()
        .map(|(l, v)| format!("{l}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let empty = s.attempts == 0;
    view! {
        <Bars id="funnel-chart" title=t(Msg::StatsFunnel).to_owned() unit=t(Msg::UnitPeople).to_owned() desc=funnel_desc bars=funnel />
        {if empty {
            view! { <p class="empty" data-testid="stats-empty">{t(Msg::StatsEmpty)}</p> }.into_any()
        } else {
            view! {
                <p data-testid="stats-summary">
                    {t(Msg::StatsAttempts)} ": " {s.attempts}
                    " · " {t(Msg::StatsMedianTime)} ": " {s.median_used_secs.map(|x| Msg::MinSec.with(lang, &[("m", &(x / 60).to_string()), ("s", &(x % 60).to_string())])).unwrap_or_default()}
                    " · " {t(Msg::StatsAttemptsToPass)} ": " {s.attempts_to_pass.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into())}
                </p>
                <h3>{t(Msg::StatsDistribution)}</h3>
                <Bars id="score-chart" title=t(Msg::StatsDistribution).to_owned() unit=t(Msg::UnitPeopleByBest).to_owned() desc=hist_desc bars=buckets />
                <h3>{t(Msg::StatsQuestions)}</h3>
                <QuestionTable questions=s.questions />
            }.into_any()
        }}
    }
}

#[component]
fn QuestionTable(questions: Vec<QuestionStat>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let rows = questions
        .into_iter()
        .map(|q| {
            let flags = super::flags_text(&q.flags, lang);
            let options = if q.ordering {
                t(Msg::StatsOrderingNoCounts).to_owned()
            } else {
                super::options_text(&q.options)
            };
            view! {
                <tr data-testid="question-stat">
                    <td><a href=format!("/admin/questions/{}", q.question_id.0)>{q.text.clone()}</a>
                        <br /><small>{Msg::RevisionN.with(lang, &[("n", &q.revision.to_string())])}</small></td>
                    <td class="num">{q.answered}</td>
                    <td class="num" data-testid="facility">{percent(q.facility)}</td>
                    <td class="num" data-testid="discrimination">{index(q.discrimination)}</td>
                    <td><small>{options}</small></td>
                    <td data-testid="flags">{flags}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dl class="stats-legend" data-testid="stats-legend">
            <dt>{t(Msg::StatsFacility)}</dt><dd>{t(Msg::StatsFacilityHelp)}</dd>
            <dt>{t(Msg::StatsDiscrimination)}</dt><dd>{t(Msg::StatsDiscriminationHelp)}</dd>
        </dl>
        <div class="table-scroll" tabindex="0"><table class="table" data-testid="question-stats">
            <thead><tr>
                <th scope="col">{t(Msg::StatsQuestion)}</th>
                <th scope="col">{t(Msg::StatsAnswered)}</th>
                <th scope="col">{t(Msg::StatsFacility)}</th>
                <th scope="col">{t(Msg::StatsDiscrimination)}</th>
                <th scope="col">{t(Msg::StatsOptions)}</th>
                <th scope="col">{t(Msg::StatsFlags)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
