//! Theory blocks and additional materials. Blocks are reordered by dragging their handle
//! (pointer events: mouse, pen and touch alike) or by keyboard (arrow keys on the handle, or
//! the move buttons); the new position is announced to screen readers and saved on the server
//! in one transaction.

use super::editor_ctx::EditorCtx;
use super::{DeleteBlock, DeleteMaterial, ReorderBlocks, UpdateBlock, VersionView};
use crate::domain::BlockId;
use crate::domain::certification::{
    BlockInput, BlockKind, CertStatus, Material, MaterialKind, TheoryBlock,
};
use crate::domain::upload::UploadKind;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::richtext::plain_text;
use crate::ui::{
    BoundText, Button, ButtonKind, Checkbox, FileUpload, RichText, Select, SelectOption, Uploaded,
};
use leptos::prelude::*;

#[component]
pub fn TheoryEditor(
    ctx: EditorCtx,
    blocks: Vec<TheoryBlock>,
    materials: Vec<Material>,
    versions: Vec<VersionView>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let reread = RwSignal::new(false);
    let versioned = ctx.status != CertStatus::Draft;
    let current_version = versions.first().map(|v| v.version).unwrap_or(1);
    let remove = ctx.submit::<DeleteMaterial>(|| ());
    view! {
        {versioned.then(|| view! {
            <div class="notice">
                <p>{Msg::TheoryVersionNote.with(lang, &[("v", &current_version.to_string())])}</p>
                <Checkbox name="require_reread" label=Msg::RequireReread checked=reread />
            </div>
        })}
        <BlockList ctx blocks reread />
        <AddBlock ctx reread />
        <h3>{t(Msg::Materials)}</h3>
        <ul class="materials" data-testid="materials">
            {materials.into_iter().map(|m| {
                let mid = m.id;
                view! {
                    <li>
                        <a href=m.url.clone() target="_blank" rel="noopener noreferrer">{m.title.clone()}</a>
                        <button type="button" class="btn btn-ghost" on:click=move |_| remove.run(DeleteMaterial { material_id: mid })>{t(Msg::Remove)}</button>
                    </li>
                }
            }).collect_view()}
        </ul>
        <AddMaterial ctx />
        {(versions.len() > 1).then(|| view! {
            <details class="versions">
                <summary>{t(Msg::TheoryVersions)}</summary>
                <ul>
                    {versions.iter().map(|v| view! {
                        <li>{Msg::VersionLine.with(lang, &[("v", &v.version.to_string()), ("at", &v.created_at.format_datetime(offset))])}
                            {v.require_reread.then(|| format!(" · {}", Msg::RereadRequired.text(lang)))}</li>
                    }).collect_view()}
                </ul>
            </details>
        })}
    }
}

#[component]
fn BlockList(ctx: EditorCtx, blocks: Vec<TheoryBlock>, reread: RwSignal<bool>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let initial: Vec<BlockId> = blocks.iter().map(|b| b.id).collect();
    let saved = StoredValue::new(initial.clone());
    let order = RwSignal::new(initial);
    let by_id = StoredValue::new(blocks);
    let reorder = ctx.submit::<ReorderBlocks>(|| ());
    let delete = ctx.submit::<DeleteBlock>(|| ());
    let dragging = RwSignal::new(None::<BlockId>);
    let resources = expect_context::<super::editor_ctx::EditorResources>();
    let announce = resources.announce;
    let refocus = resources.refocus;
    // After a keyboard move the list is reloaded: give the focus back to the moved block.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(pos) = refocus.get_untracked() {
            // After the new list has replaced the old one in the document.
            request_animation_frame(move || {
                use wasm_bindgen::JsCast;
                let handle = document()
                    .query_selector_all("[data-testid=drag-handle]")
                    .ok()
                    .and_then(|l| l.item(pos.saturating_sub(1) as u32))
                    .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(h) = handle {
                    let _ = h.focus();
                    refocus.set(None);
                }
            });
        }
    });
    let editing = RwSignal::new(None::<BlockId>);
    let total = move || order.get().len();

    let title_of = move |id: BlockId| {
        by_id
            .get_value()
            .into_iter()
            .find(|b| b.id == id)
            .map(|b| {
                if b.title.is_empty() {
                    b.kind.label().text(lang).to_owned()
                } else {
                    b.title
                }
            })
            .unwrap_or_default()
    };
    let say_position = move |id: BlockId| {
        let pos = order
            .get_untracked()
            .iter()
            .position(|x| *x == id)
            .map(|p| p + 1)
            .unwrap_or(0);
        announce.set(Msg::BlockMoved.with(
            lang,
            &[
                ("title", &title_of(id)),
                ("n", &pos.to_string()),
                ("total", &order.get_untracked().len().to_string()),
            ],
        ));
    };
    let commit = move || {
        let now = order.get_untracked();
        if now != saved.get_value() {
            saved.set_value(now.clone());
            reorder.run(ReorderBlocks {
                id: ctx.id,
                order: now,
                require_reread: reread.get_untracked(),
            });
        }
    };
    let move_by = move |id: BlockId, delta: i32| {
        order.update(|v| {
            if let Some(i) = v.iter().position(|x| *x == id) {
                let j = i as i32 + delta;
                if j >= 0 && (j as usize) < v.len() {
                    v.swap(i, j as usize);
                }
            }
        });
        say_position(id);
        refocus.set(
            order
                .get_untracked()
                .iter()
                .position(|x| *x == id)
                .map(|p| p + 1),
        );
        commit();
    };

    // While a handle is held, the pointer's height over the list decides the block's place.
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let on_move = window_event_listener(leptos::ev::pointermove, move |ev| {
            let Some(id) = dragging.get_untracked() else {
                return;
            };
            let y = ev.client_y() as f64;
            let Ok(items) = document().query_selector_all("[data-block-id]") else {
                return;
            };
            let mut target = 0;
            for i in 0..items.length() {
                let Some(el) = items
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                if el.get_attribute("data-block-id").as_deref() == Some(&id.to_string()) {
                    continue;
                }
                let r = el.get_bounding_client_rect();
                if y > r.top() + r.height() / 2.0 {
                    target += 1;
                }
            }
            order.update(|v| {
                if let Some(i) = v.iter().position(|x| *x == id)
                    && i != target
                {
                    let moved = v.remove(i);
                    v.insert(target.min(v.len()), moved);
                }
            });
        });
        let on_up = window_event_listener(leptos::ev::pointerup, move |_| {
            if let Some(id) = dragging.get_untracked() {
                dragging.set(None);
                say_position(id);
                commit();
            }
        });
        let on_cancel = window_event_listener(leptos::ev::pointercancel, move |_| {
            if dragging.get_untracked().is_some() {
                dragging.set(None);
                order.set(saved.get_value());
            }
        });
        on_cleanup(move || {
            on_move.remove();
            on_up.remove();
            on_cancel.remove();
        });
    }

    view! {
        <p class="hint" id="reorder-help">{t(Msg::ReorderHelp)}</p>
        <ol class="block-list" data-testid="blocks">
            <For each=move || order.get() key=|id| *id children=move |id: BlockId| {
                let block = by_id.get_value().into_iter().find(|b| b.id == id);
                let Some(block) = block else { return ().into_any() };
                let position = move || order.get().iter().position(|x| *x == id).map(|p| p + 1).unwrap_or(0);
                let summary = match block.kind {
                    BlockKind::Text => plain_text(&block.body).chars().take(100).collect::<String>(),
                    _ => block.url.clone(),
                };
                let title = if block.title.is_empty() { block.kind.label().text(lang).to_owned() } else { block.title.clone() };
                let edit_block = block.clone();
                view! {
                    <li class="block-item" class:dragging=move || dragging.get() == Some(id) data-block-id=id.to_string()>
                        <button
                            type="button"
                            class="drag-handle"
                            aria-describedby="reorder-help"
                            aria-label=move || Msg::DragHandle.with(lang, &[("title", &title_of(id)), ("n", &position().to_string()), ("total", &total().to_string())])
                            data-testid="drag-handle"
                            on:pointerdown=move |ev| {
                                ev.prevent_default();
                                dragging.set(Some(id));
                            }
                            on:keydown=move |ev| match ev.key().as_str() {
                                "ArrowUp" => { ev.prevent_default(); move_by(id, -1); }
                                "ArrowDown" => { ev.prevent_default(); move_by(id, 1); }
                                _ => {}
                            }
                        >"⠿"</button>
                        <span class="block-pos">{position}</span>
                        <div class="grow">
                            <strong data-testid="block-title">{title}</strong>
                            <span class="muted">" · "{block.kind.label().text(lang)}</span>
                            <p class="muted small">{summary}</p>
                        </div>
                        <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveUp) data-testid="block-up" on:click=move |_| move_by(id, -1)>"↑"</button>
                        <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveDown) data-testid="block-down" on:click=move |_| move_by(id, 1)>"↓"</button>
                        <button type="button" class="btn btn-ghost" on:click=move |_| editing.update(|e| *e = if *e == Some(id) { None } else { Some(id) })>{t(Msg::Edit)}</button>
                        <button type="button" class="btn btn-ghost" on:click=move |_| delete.run(DeleteBlock { block_id: id, require_reread: reread.get_untracked() })>{t(Msg::Delete)}</button>
                        <Show when=move || editing.get() == Some(id)>
                            <div class="block-edit span-all">
                                <BlockForm ctx initial=Some(edit_block.clone()) reread />
                            </div>
                        </Show>
                    </li>
                }.into_any()
            } />
        </ol>
    }
}

#[component]
fn AddBlock(ctx: EditorCtx, reread: RwSignal<bool>) -> impl IntoView {
    let t = use_t();
    let open = RwSignal::new(false);
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <Button kind=ButtonKind::Secondary on_click=move |_| open.set(true) test_id="add-block">{t(Msg::AddBlock)}</Button>
        }>
            <div class="card inset">
                <h3>{t(Msg::AddBlock)}</h3>
                <BlockForm ctx initial=None reread />
            </div>
        </Show>
    }
}

/// Adds a block (`initial` = None) or edits one.
#[component]
fn BlockForm(
    ctx: EditorCtx,
    initial: Option<TheoryBlock>,
    reread: RwSignal<bool>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let editing = initial.as_ref().map(|b| b.id);
    let kind = RwSignal::new(
        initial
            .as_ref()
            .map(|b| b.kind)
            .unwrap_or(BlockKind::Text)
            .as_str()
            .to_string(),
    );
    let title = RwSignal::new(
        initial
            .as_ref()
            .map(|b| b.title.clone())
            .unwrap_or_default(),
    );
    let body = RwSignal::new(initial.as_ref().map(|b| b.body.clone()).unwrap_or_default());
    let url = RwSignal::new(initial.as_ref().map(|b| b.url.clone()).unwrap_or_default());
    let update = ctx.submit::<UpdateBlock>(|| ());
    let add = ctx.submit::<super::AddBlock>(|| ());
    let error = Signal::derive(move || update.last_error().or(add.last_error()));
    let kinds = Signal::derive(move || {
        BlockKind::ALL
            .into_iter()
            .map(|k| SelectOption {
                value: k.as_str().into(),
                label: k.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let current_kind = move || kind.get().parse::<BlockKind>().unwrap_or(BlockKind::Text);
    let upload_kind = move || match current_kind() {
        BlockKind::Image => UploadKind::Image,
        BlockKind::Video => UploadKind::Video,
        _ => UploadKind::File,
    };
    let save = move |_| {
        let input = BlockInput {
            kind: current_kind(),
            title: title.get_untracked(),
            body: body.get_untracked(),
            url: url.get_untracked(),
        };
        let require_reread = reread.get_untracked();
        match editing {
            Some(block_id) => update.run(UpdateBlock {
                block_id,
                block: input,
                require_reread,
            }),
            None => add.run(super::AddBlock {
                id: ctx.id,
                block: input,
                require_reread,
            }),
        }
    };
    let err = error;
    view! {
        <div class="block-form" data-testid="block-form">
            <Select name="block_kind" label=Msg::BlockKind options=kinds value=kind on_change=Callback::new(move |v| kind.set(v)) />
            <BoundText name="block_title" label=Msg::BlockTitle value=title maxlength=200 error=err />
            <RichText name="block_body" label=Msg::BlockBody value=body error=err />
            <Show when=move || current_kind() != BlockKind::Text>
                <BoundText name="block_url" label=Msg::BlockUrl value=url error=err placeholder="https://" />
                {move || {
                    let k = upload_kind();
                    view! { <FileUpload kind=k label=Msg::UploadFile test_id="block-upload"
                        on_uploaded=Callback::new(move |u: Uploaded| url.set(u.url)) /> }
                }}
            </Show>
            <Button on_click=save test_id="save-block">{t(Msg::Save)}</Button>
        </div>
    }
}

#[component]
fn AddMaterial(ctx: EditorCtx) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let title = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let kind = RwSignal::new("link".to_string());
    let add = ctx.submit::<super::AddMaterial>(|| ());
    let error = add.error();
    let kinds = Signal::derive(move || {
        vec![
            SelectOption {
                value: "link".into(),
                label: Msg::MaterialLink.text(lang).into(),
            },
            SelectOption {
                value: "file".into(),
                label: Msg::MaterialFile.text(lang).into(),
            },
        ]
    });
    let save = move |_| {
        let k = if kind.get_untracked() == "file" {
            MaterialKind::File
        } else {
            MaterialKind::Link
        };
        add.run(super::AddMaterial {
            id: ctx.id,
            kind: k,
            title: title.get_untracked(),
            url: url.get_untracked(),
        });
    };
    let err = error;
    view! {
        <div class="inline-form">
            <Select name="material_kind" label=Msg::MaterialKind options=kinds value=kind on_change=Callback::new(move |v| kind.set(v)) />
            <BoundText name="material_title" label=Msg::MaterialTitle value=title maxlength=200 error=err />
            <BoundText name="material_url" label=Msg::BlockUrl value=url error=err placeholder="https://" />
            <Show when=move || kind.get() == "file">
                <FileUpload kind=UploadKind::File label=Msg::UploadFile test_id="material-upload"
                    on_uploaded=Callback::new(move |u: Uploaded| { url.set(u.url); if title.get_untracked().is_empty() { title.set(u.name); } }) />
            </Show>
            <Button kind=ButtonKind::Secondary on_click=save test_id="add-material">{t(Msg::AddMaterial)}</Button>
        </div>
    }
}
