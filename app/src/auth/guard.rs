//! The one server-side guard every server function goes through: it finds the session behind
//! the request, checks status and module, and sets the HTTP status of refusals.

use super::Surface;
use super::service;
use crate::domain::actor::Actor;
use crate::domain::audit::Origin;
use crate::domain::permissions::Module;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use leptos::prelude::*;
use std::net::SocketAddr;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

fn headers() -> HeaderMap {
    use_context::<Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

/// Where a request came from: the client's address (through trusted proxies only), its agent
/// and the channel. The one extractor for throttling, the audit log and the API.
pub fn origin_of(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    channel: &str,
    trusted: &crate::domain::client_ip::TrustedProxies,
) -> Origin {
    let ip = peer.map(|peer| {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        crate::domain::client_ip::client_ip(peer.ip(), forwarded, trusted).to_string()
    });
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(256).collect());
    Origin {
        ip,
        user_agent,
        channel: channel.to_owned(),
    }
}

/// [`origin_of`] the request being served.
pub fn origin(channel: &str) -> Origin {
    let parts = use_context::<Parts>();
    let peer = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0));
    let headers = parts.map(|p| p.headers).unwrap_or_default();
    origin_of(&headers, peer, channel, &state().config.trusted_proxies)
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(opts), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        opts.append_header(header::SET_COOKIE, v);
    }
}

/// The language the request asks for (its language cookie).
pub fn lang() -> crate::i18n::Lang {
    let cookie = headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    crate::i18n::Lang::from_cookie_header(cookie.as_deref())
}

pub fn session_token(surface: Surface) -> Option<String> {
    super::cookie::token_from_headers(&headers(), surface)
}

/// The actor of this surface, if signed in.
pub async fn actor(surface: Surface) -> AppResult<Option<Actor>> {
    match session_token(surface) {
        Some(token) => service::resolve(&state(), surface, &token).await,
        None => Ok(None),
    }
}

/// A signed-in admin-panel user.
pub async fn admin() -> AppResult<Actor> {
    let actor = actor(Surface::Admin).await?.ok_or(AppError::Unauthorized)?;
    if !service::has_admin_access(&actor) {
        return Err(AppError::Forbidden(Msg::ErrNoAdminAccess));
    }
    Ok(actor)
}

/// A signed-in admin-panel user who holds `module`.
/// Integrations (API keys, webhooks, xAPI, SCIM) act for the whole company: admins with the
/// "API keys" module only.
pub async fn integrations_admin() -> AppResult<Actor> {
    let actor = module(Module::ApiKeys).await?;
    if actor.user.role != crate::domain::user::Role::Admin {
        return Err(AppError::Forbidden(crate::i18n::Msg::ErrAdminOnly));
    }
    Ok(actor)
}

pub async fn module(module: Module) -> AppResult<Actor> {
    let actor = admin().await?;
    service::require(&actor, module)?;
    Ok(actor)
}

/// A signed-in, active Mini App user.
pub async fn member() -> AppResult<Actor> {
    service::member(&state(), session_token(Surface::MiniApp).as_deref()).await
}

/// Whether this runs for a server-function call (a request of the hydrated client) rather than
/// for the server rendering of a page. Page renders only read: state changes come from the
/// client's POSTs.
pub fn is_server_fn_call() -> bool {
    use_context::<Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"))
}

/// Sets the HTTP status of a refusal; every server function returns through it. During the
/// server rendering of a page (a resource calling the function) the page keeps its own status.
pub fn respond<T>(result: AppResult<T>) -> AppResult<T> {
    if let Err(e) = &result
        && is_server_fn_call()
        && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
    {
        opts.set_status(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}
