//! Telegram sign-in: registering from initData and opening a Mini App session.

use super::*;

/// Registers or refreshes a Telegram user (Mini App launch or bot `/start`) inside `c`.
pub async fn register_telegram_user(
    state: &AppState,
    mut c: Conn<'_>,
    profile: &TelegramProfile,
    origin: &Origin,
) -> Result<User, StorageError> {
    let now = state.now();
    let up = storage::users::upsert_from_telegram(
        c.re(),
        profile,
        state.config.registration.initial_status(),
        now,
    )
    .await?;
    if up.created {
        let pending = up.user.status == UserStatus::Pending;
        let mut e = entry(state, AuditAction::UserRegistered, origin);
        e.actor_id = Some(up.user.id);
        e.actor_label = label_of(&up.user);
        e.target_type = Some("user".into());
        e.target_id = Some(up.user.id.to_string());
        e.details =
            json!({ "telegram_id": profile.telegram_id, "status": up.user.status.as_str() });
        storage::audit::record(c.re(), &e).await?;
        storage::events::emit(
            c,
            &DomainEvent::UserRegistered {
                user_id: up.user.id,
                pending,
            },
            now,
        )
        .await?;
    }
    Ok(up.user)
}

pub(super) async fn open_session(
    state: &AppState,
    mut c: Conn<'_>,
    user: &User,
    surface: Surface,
    origin: &Origin,
    method: &str,
) -> Result<NewSession, StorageError> {
    let now = state.now();
    let max_age_secs = match surface {
        Surface::MiniApp => state.config.miniapp_session_secs,
        Surface::Admin => state.config.admin_session_secs,
    };
    let token = new_token();
    let session_id = storage::sessions::insert(
        c.re(),
        &hash_token(&token),
        user.id,
        surface,
        now,
        now.plus_secs(max_age_secs),
        origin,
    )
    .await?;
    let e = sign_in_entry(user, session_id, surface, method, origin, now);
    storage::audit::record(c, &e).await?;
    Ok(NewSession {
        token,
        max_age_secs,
    })
}

fn init_data_message(e: InitDataError) -> Msg {
    match e {
        InitDataError::Expired => Msg::ErrInitDataExpired,
        InitDataError::Malformed | InitDataError::MissingHash | InitDataError::MissingUser => {
            Msg::ErrInitDataMalformed
        }
        InitDataError::BadSignature | InitDataError::MissingAuthDate => Msg::ErrInitDataInvalid,
    }
}

/// The address a request came from, for the per-address limits.
pub(super) fn client_ip(origin: &Origin) -> Option<std::net::IpAddr> {
    origin.ip.as_deref().and_then(|ip| ip.parse().ok())
}

/// Mini App sign-in from raw initData. Unknown users are registered (pending unless
/// registration is open) and still get a session: the Mini App then shows "waiting for access".
/// A launch that comes with the same person's live session keeps it (its expiry slides) instead
/// of opening another one; a session of someone else is revoked.
#[tracing::instrument(skip_all)]
pub async fn sign_in_telegram(
    state: &AppState,
    raw_init_data: &str,
    existing_token: Option<&str>,
    origin: &Origin,
) -> AppResult<(User, NewSession)> {
    let Some(token) = state.config.bot_token.as_deref() else {
        return Err(AppError::SignInFailed(Msg::ErrBotNotConfigured));
    };
    let now = state.now();
    let valid = match init_data::validate(
        raw_init_data,
        token,
        now,
        MaxAge(state.config.init_data_max_age_secs),
    ) {
        Ok(v) => v,
        Err(err) => {
            tracing::info!(error = %err, "initData refused");
            // Only failures are limited per address: valid launches from one office never are.
            if let Some(ip) = client_ip(origin)
                && let Some(retry_after_secs) = state.sign_in_limits.failed_launch(ip)
            {
                return Err(AppError::Throttled { retry_after_secs });
            }
            let key = format!("initdata:{}", origin.ip.as_deref().unwrap_or("-"));
            state
                .failed_sign_ins
                .note(&key, "telegram", "miniapp", err.reason(), origin, now);
            return Err(AppError::SignInFailed(init_data_message(err)));
        }
    };
    // The plain case goes with other launches in one transaction (`auth::launches`).
    let launch = super::super::launches::Launch {
        profile: valid.user,
        existing_token: existing_token.map(str::to_owned),
        origin: origin.clone(),
    };
    let profile = match state.launches.submit(launch).await {
        Ok(done) => return Ok(done),
        Err(launch) => launch.profile,
    };
    let result = async {
        let mut tx = state.db.begin().await?;
        let user = register_telegram_user(state, tx.conn(), &profile, origin).await?;
        let current = match existing_token {
            Some(t) => {
                storage::sessions::find_active(tx.conn(), &hash_token(t), Surface::MiniApp, now)
                    .await?
            }
            None => None,
        };
        let session = match current {
            Some(found) if found.user.id == user.id => {
                let max_age_secs = state.config.miniapp_session_secs;
                storage::sessions::extend(
                    tx.conn(),
                    found.session_id,
                    now.plus_secs(max_age_secs),
                    now,
                )
                .await?;
                NewSession {
                    token: existing_token.unwrap_or_default().to_owned(),
                    max_age_secs,
                }
            }
            other => {
                if let Some(someone_else) = other {
                    storage::sessions::revoke(tx.conn(), someone_else.session_id, now).await?;
                }
                open_session(
                    state,
                    tx.conn(),
                    &user,
                    Surface::MiniApp,
                    origin,
                    "telegram",
                )
                .await?
            }
        };
        // Each launch is a day of activity (streak badges), written once a day.
        let offset = state.config.display_utc_offset_minutes;
        let day = crate::domain::gamification::day_number(now, offset);
        let new_day = user.is_active() && !state.days_noted.has(user.id, day);
        if new_day {
            crate::gamification::ledger::note_activity(tx.conn(), &user, offset, now).await?;
        }
        tx.commit().await?;
        if new_day {
            state.days_noted.noted([user.id], day);
        }
        Ok::<_, StorageError>((user, session))
    }
    .await;
    result.map_err(AppError::from)
}
