//! Uploads: `POST /api/uploads` (multipart: `kind` = image|video|file, `file`) for admin-panel
//! users with the certifications or question bank module, and `GET /uploads/{id}/{name}`
//! for anyone signed in (admin panel or Mini App), served with the recorded content type and
//! byte ranges (video seeking).

use super::{actor, error_response};
use crate::server_state::ServerState;
use app::auth::Surface;
use app::domain::actor::audit_by;
use app::domain::audit::AuditAction;
use app::domain::permissions::Module;
use app::domain::upload::{UploadError, UploadKind, classify, safe_name};
use app::error::AppError;
use app::i18n::Msg;
use app::storage::{self, uploads::Upload};
use axum::Json;
use axum::extract::{ConnectInfo, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde_json::json;
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;

/// The largest request accepted by the upload route (the largest kind, plus form overhead).
pub const BODY_LIMIT: usize = 210 * 1024 * 1024;

fn refuse(e: UploadError, headers: &HeaderMap) -> Response {
    error_response(&AppError::invalid("file", e.msg()), headers)
}

pub async fn upload(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let actor = match actor(&state, &headers, Surface::Admin).await {
        Ok(Some(a)) => a,
        Ok(None) => return error_response(&AppError::Unauthorized, &headers),
        Err(e) => return error_response(&e, &headers),
    };
    if !(actor.modules.contains(Module::Certifications)
        || actor.modules.contains(Module::QuestionBank))
    {
        return error_response(&AppError::Forbidden(Msg::ErrNoModule), &headers);
    }
    let mut kind = UploadKind::File;
    let mut stored: Option<(String, std::path::PathBuf, Vec<u8>, u64)> = None;
    let mut id_bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id_bytes);
    let id = hex_id(&id_bytes);
    if let Err(e) = tokio::fs::create_dir_all(&state.uploads_dir).await {
        tracing::error!(error = %e, dir = %state.uploads_dir.display(), "cannot create the uploads directory");
        return error_response(&AppError::Internal, &headers);
    }
    // Removed however the request ends (an error, a client that goes away mid-upload) unless
    // it is moved into place.
    let part = PartFile(Some(state.uploads_dir.join(format!("{id}.part"))));
    let temp = part.path().to_owned();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                tracing::info!(error = %e, "upload: malformed multipart body");
                let _ = tokio::fs::remove_file(&temp).await;
                return refuse(UploadError::TooLarge, &headers);
            }
        };
        match field.name() {
            Some("kind") => match field
                .text()
                .await
                .ok()
                .as_deref()
                .and_then(UploadKind::parse)
            {
                Some(k) => kind = k,
                None => return refuse(UploadError::WrongType, &headers),
            },
            Some("file") => {
                let name = field.file_name().unwrap_or("file").to_owned();
                match save_stream(field, &temp).await {
                    Ok((head, size)) => stored = Some((name, temp.clone(), head, size)),
                    Err(e) => {
                        let _ = tokio::fs::remove_file(&temp).await;
                        return refuse(e, &headers);
                    }
                }
            }
            _ => {}
        }
    }
    let Some((name, temp, head, size)) = stored else {
        return refuse(UploadError::Empty, &headers);
    };
    let checked = if size > kind.max_bytes() {
        Err(UploadError::TooLarge)
    } else {
        classify(kind, &name, &head)
    };
    let content_type = match checked {
        Ok(ct) => ct,
        Err(e) => {
            let _ = tokio::fs::remove_file(&temp).await;
            return refuse(e, &headers);
        }
    };
    if let Err(e) = tokio::fs::rename(&temp, state.uploads_dir.join(&id)).await {
        tracing::error!(error = %e, "upload: cannot move the file into place");
        return error_response(&AppError::Internal, &headers);
    }
    part.keep();
    let name = safe_name(&name);
    let record = Upload {
        id: id.clone(),
        path: id.clone(),
        original_name: name.clone(),
        content_type: content_type.to_owned(),
        kind: kind.as_str().to_owned(),
        size_bytes: size as i64,
    };
    let now = state.app.now();
    let origin = app::auth::guard::origin_of(
        &headers,
        Some(peer),
        "admin",
        &state.app.config.trusted_proxies,
    );
    let saved = async {
        let mut tx = state.app.db.begin().await?;
        storage::uploads::insert(tx.conn(), &record, actor.user.id, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::FileUploaded,
                "upload",
                &id,
                json!({ "name": name, "kind": kind.as_str(), "size": size }),
                &origin,
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = saved {
        let _ = tokio::fs::remove_file(state.uploads_dir.join(&id)).await;
        return error_response(&AppError::from(e), &headers);
    }
    Json(json!({
        "id": id,
        "url": format!("/uploads/{id}/{name}"),
        "name": name,
        "kind": kind.as_str(),
        "content_type": content_type,
        "size": size,
    }))
    .into_response()
}

/// A temporary upload, removed when dropped unless kept.
struct PartFile(Option<std::path::PathBuf>);

impl PartFile {
    fn path(&self) -> &std::path::Path {
        self.0.as_deref().unwrap_or(std::path::Path::new(""))
    }

    /// The file was moved into place: nothing to remove.
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take()
            // A missing file (never created, or removed already) is fine.
            && let Err(e) = std::fs::remove_file(&p)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, file = %p.display(), "upload: a temporary file stays");
        }
    }
}

/// How long a `.part` file may go unwritten before the sweep takes it for a crashed upload.
pub const STALE_PART: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the `.part` files of uploads that crashed processes left behind (not written to
/// for `stale`): how many.
pub async fn sweep_parts(dir: &std::path::Path, stale: std::time::Duration) -> usize {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return 0;
    };
    let mut removed = 0;
    while let Ok(Some(e)) = entries.next_entry().await {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "part") {
            continue;
        }
        let old = e
            .metadata()
            .await
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= stale);
        if old {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(error = %e, file = %path.display(), "upload: cannot sweep")
                }
            }
        }
    }
    removed
}

fn hex_id(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Streams a multipart field to `path`, stopping at the largest upload size; returns the
/// first bytes (for type sniffing) and the size.
async fn save_stream(
    mut field: axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
) -> Result<(Vec<u8>, u64), UploadError> {
    let limit = UploadKind::Video.max_bytes();
    let mut file = tokio::fs::File::create(path).await.map_err(|e| {
        tracing::error!(error = %e, "upload: cannot create a temporary file");
        UploadError::Empty
    })?;
    let mut head = Vec::with_capacity(512);
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|_| UploadError::TooLarge)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(UploadError::TooLarge);
        }
        if head.len() < 4096 {
            head.extend_from_slice(&chunk[..chunk.len().min(4096 - head.len())]);
        }
        file.write_all(&chunk).await.map_err(|e| {
            tracing::error!(error = %e, "upload: cannot write");
            UploadError::Empty
        })?;
    }
    file.flush().await.map_err(|_| UploadError::Empty)?;
    Ok((head, size))
}

pub async fn serve(
    State(state): State<ServerState>,
    Path((id, _name)): Path<(String, String)>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let signed_in = match actor(&state, &headers, Surface::Admin).await {
        Ok(Some(_)) => true,
        _ => matches!(actor(&state, &headers, Surface::MiniApp).await, Ok(Some(_))),
    };
    if !signed_in {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if !id.chars().all(|c| c.is_ascii_hexdigit()) || id.len() != 32 {
        return StatusCode::NOT_FOUND.into_response();
    }
    let found = async {
        let mut c = state.app.db.read().await?;
        storage::uploads::get(c.conn(), &id).await
    }
    .await;
    let upload = match found {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return error_response(&AppError::from(e), &headers),
    };
    let file = tower_http::services::ServeFile::new(state.uploads_dir.join(&upload.path));
    let mut res = match file.oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    };
    if res.status().is_success() || res.status() == StatusCode::PARTIAL_CONTENT {
        let h = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&upload.content_type) {
            h.insert(header::CONTENT_TYPE, v);
        }
        h.insert(
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=86400"),
        );
        let disposition = if upload.kind == "file" {
            "attachment"
        } else {
            "inline"
        };
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{disposition}; filename*=UTF-8''{}",
            urlencode(&upload.original_name)
        )) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    res
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
