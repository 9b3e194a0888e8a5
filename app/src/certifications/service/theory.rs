//! Theory: blocks, their order and materials, in versions.

use super::*;

fn validate_block(mut b: BlockInput) -> AppResult<BlockInput> {
    b.title = b.title.trim().to_owned();
    b.url = b.url.trim().to_owned();
    b.body = richtext::sanitize(&b.body);
    if b.kind == BlockKind::Text {
        b.url.clear();
    }
    let errors = b.validate(richtext::is_blank(&b.body));
    if errors.is_empty() {
        Ok(b)
    } else {
        Err(AppError::Invalid { fields: errors })
    }
}

/// The version a theory edit writes to: the current one in a draft, a new copy otherwise.
async fn version_for_edit(
    mut c: Conn<'_>,
    cert: &Certification,
    require_reread: bool,
    actor: &Actor,
    now: Timestamp,
) -> Result<i64, StorageError> {
    if theory_edit_makes_new_version(cert.status) {
        certs::new_theory_version(
            c.re(),
            cert.id,
            cert.theory_version,
            require_reread,
            actor.user.id,
            now,
        )
        .await
    } else {
        Ok(cert.theory_version)
    }
}

#[allow(clippy::too_many_arguments)]
async fn audit_theory(
    c: Conn<'_>,
    actor: &Actor,
    id: CertId,
    op: &str,
    version: i64,
    require_reread: bool,
    origin: &Origin,
    now: Timestamp,
) -> Result<(), StorageError> {
    storage::audit::record(
        c,
        &audit_by(
            &actor.user,
            AuditAction::TheoryEdited,
            "certification",
            id,
            json!({ "op": op, "version": version, "require_reread": require_reread }),
            origin,
            now,
        ),
    )
    .await?;
    Ok(())
}

pub async fn add_block(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    block: BlockInput,
    require_reread: bool,
    origin: &Origin,
) -> AppResult<()> {
    let block = validate_block(block)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if cert.status == CertStatus::Closed {
            return Err(AppError::refused(Msg::ErrClosedCertification));
        }
        let version = version_for_edit(tx.conn(), &cert, require_reread, actor, now).await?;
        certs::insert_block(tx.conn(), id, version, &block, now).await?;
        audit_theory(
            tx.conn(),
            actor,
            id,
            "add_block",
            version,
            require_reread,
            origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

/// Finds a block's certification (locked) and checks that the block is of the current
/// version, so an editor showing an outdated version cannot overwrite the newer one.
async fn block_in_current(mut c: Conn<'_>, block: BlockId) -> AppResult<(Certification, i64)> {
    let Some((cert_id, version, position)) = certs::block_place(c.re(), block).await? else {
        return Err(AppError::NotFound);
    };
    let cert = locked(c, cert_id).await?;
    if version != cert.theory_version {
        return Err(AppError::Conflict);
    }
    if cert.status == CertStatus::Closed {
        return Err(AppError::refused(Msg::ErrClosedCertification));
    }
    Ok((cert, position))
}

pub async fn update_block(
    state: &AppState,
    actor: &Actor,
    block_id: BlockId,
    block: BlockInput,
    require_reread: bool,
    origin: &Origin,
) -> AppResult<()> {
    let block = validate_block(block)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let (cert, position) = block_in_current(tx.conn(), block_id).await?;
        let version = version_for_edit(tx.conn(), &cert, require_reread, actor, now).await?;
        let target = certs::block_at(tx.conn(), cert.id, version, position)
            .await?
            .unwrap_or(block_id);
        certs::update_block(tx.conn(), target, &block, now).await?;
        audit_theory(
            tx.conn(),
            actor,
            cert.id,
            "update_block",
            version,
            require_reread,
            origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn delete_block(
    state: &AppState,
    actor: &Actor,
    block_id: BlockId,
    require_reread: bool,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let (cert, position) = block_in_current(tx.conn(), block_id).await?;
        let count = certs::blocks(tx.conn(), cert.id, cert.theory_version)
            .await?
            .len();
        if count <= 1 && cert.status != CertStatus::Draft {
            return Err(AppError::refused(Msg::ErrNeedTheory));
        }
        let version = version_for_edit(tx.conn(), &cert, require_reread, actor, now).await?;
        let target = certs::block_at(tx.conn(), cert.id, version, position)
            .await?
            .unwrap_or(block_id);
        certs::delete_block(tx.conn(), target).await?;
        audit_theory(
            tx.conn(),
            actor,
            cert.id,
            "delete_block",
            version,
            require_reread,
            origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn reorder_blocks(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    order: Vec<BlockId>,
    require_reread: bool,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if cert.status == CertStatus::Closed {
            return Err(AppError::refused(Msg::ErrClosedCertification));
        }
        let current = certs::blocks(tx.conn(), id, cert.theory_version).await?;
        let mut given: Vec<BlockId> = order.clone();
        given.sort();
        let mut have: Vec<BlockId> = current.iter().map(|b| b.id).collect();
        have.sort();
        if given != have {
            // The editor shows another version or another set of blocks: reload, don't guess.
            return Err(AppError::Conflict);
        }
        let version = version_for_edit(tx.conn(), &cert, require_reread, actor, now).await?;
        let mut mapped = Vec::with_capacity(order.len());
        for b in &order {
            let position = current
                .iter()
                .find(|x| x.id == *b)
                .map(|x| x.position)
                .unwrap_or_default();
            mapped.push(
                certs::block_at(tx.conn(), id, version, position)
                    .await?
                    .unwrap_or(*b),
            );
        }
        certs::set_block_order(tx.conn(), id, version, &mapped, now).await?;
        audit_theory(
            tx.conn(),
            actor,
            id,
            "reorder",
            version,
            require_reread,
            origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn add_material(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    kind: MaterialKind,
    title: String,
    url: String,
    origin: &Origin,
) -> AppResult<()> {
    let title = title.trim().to_owned();
    let url = url.trim().to_owned();
    let mut fields = Vec::new();
    if title.is_empty() || title.chars().count() > TITLE_MAX || title.chars().any(char::is_control)
    {
        fields.push(FieldError {
            field: "material_title".into(),
            msg: Msg::ErrTitleEmpty,
        });
    }
    if !is_safe_url(&url) {
        fields.push(FieldError {
            field: "material_url".into(),
            msg: Msg::ErrUrl,
        });
    }
    if !fields.is_empty() {
        return Err(AppError::Invalid { fields });
    }
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if cert.status == CertStatus::Closed {
            return Err(AppError::refused(Msg::ErrClosedCertification));
        }
        let version = version_for_edit(tx.conn(), &cert, false, actor, now).await?;
        certs::insert_material(tx.conn(), id, version, kind, &title, &url, now).await?;
        audit_theory(
            tx.conn(),
            actor,
            id,
            "add_material",
            version,
            false,
            origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn delete_material(
    state: &AppState,
    actor: &Actor,
    material_id: MaterialId,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some((cert_id, version, position)) =
            certs::material_place(tx.conn(), material_id).await?
        else {
            return Err(AppError::NotFound);
        };
        let cert = locked(tx.conn(), cert_id).await?;
        if version != cert.theory_version {
            return Err(AppError::Conflict);
        }
        if cert.status == CertStatus::Closed {
            return Err(AppError::refused(Msg::ErrClosedCertification));
        }
        let version = version_for_edit(tx.conn(), &cert, false, actor, now).await?;
        certs::delete_material_at(tx.conn(), cert_id, version, position).await?;
        audit_theory(
            tx.conn(),
            actor,
            cert_id,
            "delete_material",
            version,
            false,
            origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}
