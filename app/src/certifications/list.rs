//! The certifications list.

use super::{create_certification, list_certifications};
use crate::domain::certification::CertStatus;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::{
    BoundText, Button, Dialog, ErrorNotice, Pagination, Select, SelectOption, Spinner,
};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn CertificationsPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let status = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    Effect::new(move |_| {
        status.track();
        search.track();
        page.set(1);
    });
    let certs = Resource::new(
        move || (status.get(), search.get(), page.get()),
        |(status, search, page)| {
            list_certifications(
                status.parse().ok(),
                Some(search).filter(|s| !s.trim().is_empty()),
                page,
            )
        },
    );
    let statuses = Signal::derive(move || {
        CertStatus::ALL
            .into_iter()
            .map(|s| SelectOption {
                value: s.as_str().into(),
                label: s.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let create_open = RwSignal::new(false);
    let title = RwSignal::new(String::new());
    let create = Action::new(|title: &String| create_certification(title.clone()));
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/admin/certifications/{id}"), Default::default());
        }
    });
    let when = move |s: CertStatus,
                     opens: Option<crate::domain::Timestamp>,
                     closes: Option<crate::domain::Timestamp>| {
        let mut parts = vec![s.label().text(lang).to_owned()];
        if let Some(o) = opens.filter(|_| s == CertStatus::Scheduled) {
            parts.push(Msg::OpensAt.with(lang, &[("at", &o.format_datetime(offset))]));
        }
        if let Some(c) = closes {
            parts.push(Msg::ClosesAt.with(lang, &[("at", &c.format_datetime(offset))]));
        }
        parts.join(" · ")
    };
    view! {
        <div class="page-head">
            <h1>{t(Msg::ModuleCertifications)}</h1>
            <div class="actions">
                <a class="btn btn-secondary" href="/admin/compliance" data-testid="compliance-link">{t(Msg::ComplianceLink)}</a>
                <Button on_click=move |_| create_open.set(true) test_id="new-certification">{t(Msg::NewCertification)}</Button>
            </div>
        </div>
        <div class="filters">
            <BoundText name="search" label=Msg::Search value=search />
            <Select name="status" label=Msg::Status options=statuses value=status
                on_change=Callback::new(move |v| status.set(v)) all=Msg::AllStatuses />
        </div>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match certs.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="muted">{t(Msg::NothingFound)}</p> }.into_any(),
                    Ok(p) => {
                        let pages = p.pages();
                        view! {
                        <table class="table" data-testid="certifications-table">
                            <thead><tr>
                                <th scope="col">{t(Msg::Title)}</th>
                                <th scope="col">{t(Msg::Status)}</th>
                                <th scope="col">{t(Msg::TheoryBlocks)}</th>
                                <th scope="col">{t(Msg::Questions)}</th>
                            </tr></thead>
                            <tbody>
                                {p.items.into_iter().map(|c| view! {
                                    <tr>
                                        <td><a href=format!("/admin/certifications/{}", c.id)>{c.title.clone()}</a></td>
                                        <td><span class=format!("badge badge-{}", c.status.as_str())>{when(c.status, c.opens_at, c.closes_at)}</span></td>
                                        <td>{c.blocks}</td>
                                        <td>{c.questions}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pagination page pages=Signal::derive(move || pages) />
                    }.into_any()
                    }
                }
            })}
        </Transition>
        <Dialog open=create_open title=Msg::NewCertification test_id="create-certification">
            <form on:submit=move |ev| { ev.prevent_default(); create.dispatch(title.get_untracked()); }>
                <BoundText name="title" label=Msg::Title value=title required=true maxlength=200
                    error=Signal::derive(move || create_error.get()) />
                <ErrorNotice error=Signal::derive(move || create_error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                <Button submit=true busy=create.pending() test_id="create-submit">{t(Msg::Create)}</Button>
            </form>
        </Dialog>
    }
}
