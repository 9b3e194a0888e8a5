//! The list, creation, the editor's data, settings and the lifecycle.

use super::*;

pub async fn list(
    state: &AppState,
    status: Option<CertStatus>,
    search: Option<String>,
    page: i64,
) -> AppResult<Page<CertListItem>> {
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let (rows, total) = certs::list(c.conn(), status, search.as_deref(), limit, offset)
        .await
        .map_err(AppError::from)?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            Some(CertListItem {
                id: r.id,
                title: r.title,
                status: r.status.parse().ok()?,
                opens_at: r.opens_at,
                closes_at: r.closes_at,
                questions: r.questions,
                blocks: r.blocks,
            })
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    title: String,
    origin: &Origin,
) -> AppResult<CertId> {
    let settings = CertSettings {
        title: title.trim().to_owned(),
        ..CertSettings::default()
    };
    if let Some(e) = settings.validate().into_iter().find(|e| e.field == "title") {
        return Err(AppError::Invalid { fields: vec![e] });
    }
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let id = certs::insert(tx.conn(), &settings, actor.user.id, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::CertificationCreated,
                "certification",
                id,
                json!({ "title": settings.title }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(id)
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn load_editor(state: &AppState, id: CertId) -> AppResult<CertEditorData> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let result = async {
        let Some(cert) = certs::get(c.conn(), id).await? else {
            return Ok(None);
        };
        let blocks = certs::blocks(c.conn(), id, cert.theory_version).await?;
        let materials = certs::materials(c.conn(), id, cert.theory_version).await?;
        let questions = storage::questions::of_certification(c.conn(), id).await?;
        let assignments = certs::assignments(c.conn(), id)
            .await?
            .into_iter()
            .map(|a| AssignmentView {
                kind: match a.target_kind {
                    TargetKind::Position => AssignKind::Position,
                    TargetKind::Branch => AssignKind::Branch,
                    TargetKind::User => AssignKind::User,
                },
                target_id: a.target_id,
                label: a.label.unwrap_or_else(|| format!("#{}", a.target_id)),
            })
            .collect();
        let versions = certs::versions(c.conn(), id)
            .await?
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                require_reread: v.require_reread,
                created_at: v.created_at,
            })
            .collect();
        let assigned_users = certs::assigned_users(c.conn(), id).await?.len() as i64;
        Ok::<_, StorageError>(Some(CertEditorData {
            cert,
            blocks,
            materials,
            questions,
            assignments,
            versions,
            assigned_users,
            keys_hidden: false,
        }))
    }
    .await;
    result.map_err(AppError::from)?.ok_or(AppError::NotFound)
}

pub async fn editor(state: &AppState, actor: &Actor, id: CertId) -> AppResult<CertEditorData> {
    let mut data = load_editor(state, id).await?;
    // The answer keys belong to the question bank: without it the questions are read-only
    // and keyless.
    if !actor.modules.contains(Module::QuestionBank) {
        data.keys_hidden = true;
        for q in &mut data.questions {
            q.content = q.content.clone().without_key();
        }
    }
    Ok(data)
}

fn sanitized(mut s: CertSettings) -> CertSettings {
    s.title = s.title.trim().to_owned();
    s.description = richtext::sanitize(&s.description);
    s
}

pub async fn update_settings(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    new: CertSettings,
    origin: &Origin,
) -> AppResult<Certification> {
    let new = sanitized(new);
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if let Err(fields) = check_settings_update(cert.status, &cert.settings, &new, now) {
            return Err(AppError::Invalid { fields });
        }
        certs::update_settings(tx.conn(), id, &new, now).await?;
        let before = serde_json::to_value(&cert.settings).unwrap_or_default();
        let after = serde_json::to_value(&new).unwrap_or_default();
        let changed: serde_json::Map<String, serde_json::Value> = after
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| before.get(k.as_str()) != Some(v))
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!({ "before": before.get(k.as_str()), "after": v }),
                )
            })
            .collect();
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::CertificationEdited,
                "certification",
                id,
                json!(changed),
                origin,
                now,
            ),
        )
        .await?;
        let updated = certs::get(tx.conn(), id).await?;
        tx.commit().await?;
        updated.ok_or(AppError::NotFound)
    }
    .await
}

/// Applies a lifecycle change by a person (`actor`) or the scheduler (`None`).
pub async fn apply_lifecycle(
    state: &AppState,
    id: CertId,
    action: Option<LifecycleAction>,
    actor: Option<&Actor>,
    origin: &Origin,
) -> AppResult<Option<Certification>> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        let to = match action {
            Some(action) => {
                let content = Content {
                    theory_blocks: certs::blocks(tx.conn(), id, cert.theory_version).await?.len(),
                    questions: certs::question_count(tx.conn(), id).await? as usize,
                };
                match transition(cert.status, action, &cert.settings, content, now) {
                    Ok(s) => s,
                    Err(msg) => return Err(AppError::refused(msg)),
                }
            }
            None => match crate::domain::certification::due_transition(
                cert.status,
                cert.settings.opens_at,
                cert.settings.closes_at,
                now,
            ) {
                Some(s) => s,
                None => return Ok(None),
            },
        };
        if !certs::set_status(tx.conn(), id, cert.status, to, now).await? {
            return Err(AppError::Conflict);
        }
        let details = json!({ "from": cert.status.as_str(), "to": to.as_str(), "by": if actor.is_some() { "admin" } else { "scheduler" } });
        let entry = match actor {
            Some(a) => audit_by(&a.user, AuditAction::CertificationStatusChanged, "certification", id, details, origin, now),
            None => crate::domain::audit::AuditEntry {
                at: now,
                actor_id: None,
                actor_label: "scheduler".into(),
                action: AuditAction::CertificationStatusChanged,
                target_type: Some("certification".into()),
                target_id: Some(id.to_string()),
                details,
                origin: origin.clone(),
            },
        };
        storage::audit::record(tx.conn(), &entry).await?;
        match to {
            CertStatus::Open => {
                storage::events::emit(tx.conn(), &DomainEvent::CertificationOpened { certification_id: id }, now)
                    .await?;
            }
            CertStatus::Closed => {
                storage::events::emit(tx.conn(), &DomainEvent::CertificationClosed { certification_id: id }, now)
                    .await?;
            }
            _ => {}
        }
        let updated = certs::get(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(updated)
    }
    .await
}

pub async fn lifecycle(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    action: LifecycleAction,
    origin: &Origin,
) -> AppResult<Certification> {
    apply_lifecycle(state, id, Some(action), Some(actor), origin)
        .await?
        .ok_or(AppError::NotFound)
}

/// Opens a closed certification again until `closes_at`, as an audited action of its own.
/// People who have not passed may start again (within their attempts); nobody is notified.
pub async fn reopen(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    closes_at: Option<Timestamp>,
    origin: &Origin,
) -> AppResult<Certification> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let cert = locked(tx.conn(), id).await?;
    let closes_at =
        crate::domain::certification::may_reopen(cert.status, closes_at, now).map_err(|msg| {
            match msg {
                Msg::ErrTransition => AppError::refused(msg),
                msg => AppError::invalid("closes_at", msg),
            }
        })?;
    if !certs::reopen(tx.conn(), id, closes_at, now).await? {
        return Err(AppError::Conflict);
    }
    let details = json!({ "closed_at": cert.closed_at, "closes_at": { "before": cert.settings.closes_at, "after": closes_at } });
    storage::audit::record(
        tx.conn(),
        &audit_by(
            &actor.user,
            AuditAction::CertificationReopened,
            "certification",
            id,
            details,
            origin,
            now,
        ),
    )
    .await?;
    storage::events::emit(
        tx.conn(),
        &DomainEvent::CertificationReopened {
            certification_id: id,
        },
        now,
    )
    .await?;
    let updated = certs::get(tx.conn(), id).await?;
    tx.commit().await?;
    updated.ok_or(AppError::NotFound)
}
