//! Errors of the REST API as RFC 9457 problem documents (`application/problem+json`): a type
//! URI and a stable machine `code`, a translated title and detail, field errors, and
//! `Retry-After` on 429. Handlers return [`ApiError`]; the [`render`] layer writes the body in
//! the caller's language (`Accept-Language`), so an extractor's refusal and a rule's refusal
//! look the same.

use app::error::AppError;
use app::i18n::{Lang, Msg};
use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:attest:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine code: `unauthorized`, `forbidden`, `not_found`, `invalid_input`,
    /// `refused`, `conflict`, `precondition_failed`, `throttled`, `bad_request`, `internal`.
    pub code: String,
    /// The fields that are wrong, each with a translated message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub detail: String,
}

/// An API error before it is rendered: the application's error, with an optional detail that
/// replaces the translated message (a JSON parser's own words) and an optional scope name.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub err: AppError,
    pub detail: Option<Detail>,
}

#[derive(Debug, Clone)]
pub enum Detail {
    /// Verbatim text (what the JSON parser said).
    Text(String),
    /// A translated message with its parameters.
    Msg(Msg, Vec<(&'static str, String)>),
}

impl ApiError {
    pub fn new(err: AppError) -> Self {
        Self { err, detail: None }
    }

    pub fn with_msg(err: AppError, msg: Msg, params: Vec<(&'static str, String)>) -> Self {
        Self {
            err,
            detail: Some(Detail::Msg(msg, params)),
        }
    }

    pub fn bad_request(msg: Msg) -> Self {
        Self::with_msg(AppError::BadRequest, msg, Vec::new())
    }

    pub fn body(detail: String) -> Self {
        Self {
            err: AppError::BadRequest,
            detail: Some(Detail::Text(detail)),
        }
    }

    pub fn problem(&self, lang: Lang) -> Problem {
        let code = self.err.code().to_owned();
        let status = self.err.status();
        let detail = match &self.detail {
            Some(Detail::Text(t)) => Msg::ErrBodyInvalid.with(lang, &[("detail", t)]),
            Some(Detail::Msg(m, params)) => {
                let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                m.with(lang, &p)
            }
            None => self.err.message(lang),
        };
        let errors = match &self.err {
            AppError::Invalid { fields } => fields
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    detail: f.msg.text(lang).to_owned(),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            kind: format!("urn:attest:problem:{code}"),
            title: StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error")
                .to_owned(),
            status,
            detail,
            code,
            errors,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        Self::new(err)
    }
}

impl IntoResponse for ApiError {
    /// The body is written by [`render`], which knows the caller's language.
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = status.into_response();
        if let AppError::Throttled { retry_after_secs } | AppError::Busy { retry_after_secs } =
            self.err
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res.extensions_mut().insert(self);
        res
    }
}

/// The caller's language: `Accept-Language` (first of ru/en), Russian otherwise.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .into_iter()
        .flat_map(|v| v.split(','))
        .filter_map(|part| Lang::from_code(part.split([';', '-']).next().unwrap_or("")))
        .next()
        .unwrap_or_default()
}

/// Writes every API error as a problem document in the caller's language.
pub async fn render(req: Request<Body>, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<ApiError>().cloned() else {
        return res;
    };
    if err.err.status() >= 500 {
        tracing::error!(code = err.err.code(), "API request failed");
    }
    let (mut parts, _) = res.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut problem = err.problem(lang);
    problem.status = parts.status.as_u16();
    if let Some(reason) = parts.status.canonical_reason() {
        problem.title = reason.to_owned();
    }
    let body = Json(problem).into_response().into_body();
    Response::from_parts(parts, body)
}

/// Unknown addresses under `/api/v1`.
pub async fn no_route() -> ApiError {
    ApiError::with_msg(AppError::NotFound, Msg::ErrApiNoRoute, Vec::new())
}

/// A known address with a method it does not serve.
pub async fn no_method() -> Response {
    let mut res =
        ApiError::with_msg(AppError::BadRequest, Msg::ErrApiMethod, Vec::new()).into_response();
    *res.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    res
}
