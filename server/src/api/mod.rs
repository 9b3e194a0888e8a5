//! The REST API v1 for HR and LMS sync: resource-oriented JSON under `/api/v1`, separate from
//! the internal server-function endpoints. Keys are `Authorization: Bearer`; errors are RFC 9457
//! problems; lists are incremental (`updated_since`, an opaque cursor below the safe horizon);
//! items carry ETags from the row version; POSTs take `Idempotency-Key`. The OpenAPI document is
//! generated from the same types and handlers (utoipa) and served with Swagger UI from the
//! crate's own copy at `/api/docs`.

pub mod achievements;
pub mod caller;
pub mod certifications;
pub mod dictionaries;
pub mod extract;
pub mod idempotency;
pub mod keys;
pub mod problem;
pub mod users;

use app::state::AppState;
use axum::Router;
use axum::extract::FromRef;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use keys::ApiRuntime;

/// What API handlers see.
#[derive(Clone)]
pub struct ApiState {
    pub app: AppState,
    pub runtime: ApiRuntime,
}

impl FromRef<ApiState> for AppState {
    fn from_ref(s: &ApiState) -> Self {
        s.app.clone()
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("at_live_…")
                    .description(Some(
                        "An API key from the admin panel (module \"API keys\") or \
                         `server api-key create`. Scopes: `users:read|write`, \
                         `dictionaries:read|write`, `achievements:read|write`, \
                         `certifications:read|write`, and `admin` (roles, managers and admins).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every error answer is a problem (`application/problem+json`), and every operation can
/// answer 400 (unreadable request), 401 (key), 403 (scope) and 429 (rate): documented once
/// here rather than on each handler; 404 where the path names something, 422 on writes.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (op, write) in ops {
                let Some(op) = op.as_mut() else { continue };
                let responses = &mut op.responses.responses;
                for r in responses.values_mut() {
                    if let RefOr::T(r) = r
                        && let Some(c) = r.content.shift_remove("application/json")
                    {
                        let is_problem = matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem"));
                        let key = if is_problem {
                            "application/problem+json"
                        } else {
                            "application/json"
                        };
                        r.content.insert(key.to_owned(), c);
                    }
                }
                let mut common = vec![
                    ("400", "The request could not be read (body, query, header)"),
                    ("401", "No key, or an unknown, revoked or expired one"),
                    ("403", "The key lacks the scope"),
                    ("429", "Over the key's rate limit (see Retry-After)"),
                ];
                if path.contains('{') {
                    common.push(("404", "Not found"));
                }
                if write {
                    common.push(("422", "Invalid fields or a business rule"));
                }
                for (status, what) in common {
                    responses.entry(status.to_owned()).or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(what)
                                .content("application/problem+json", problem())
                                .build(),
                        )
                    });
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Attest API",
        version = "1",
        description = include_str!("../../../docs/API.md"),
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(problem::Problem, problem::ProblemField)),
    tags(
        (name = "users", description = "People: incremental sync, create, update, deactivate, bulk upsert"),
        (name = "dictionaries", description = "Positions and branches"),
        (name = "achievements", description = "Points, levels and badges"),
        (name = "certifications", description = "Certifications (never answer keys), assignments, results, attempts, progress reset"),
    )
)]
pub struct ApiDoc;

/// The documented routes, with the document they make.
pub fn documented() -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::bulk))
        .routes(routes!(users::get_one, users::update, users::deactivate))
        .routes(routes!(achievements::get))
        .routes(routes!(achievements::add_points))
        .routes(routes!(
            dictionaries::list_positions,
            dictionaries::add_position
        ))
        .routes(routes!(dictionaries::rename_position))
        .routes(routes!(
            dictionaries::list_branches,
            dictionaries::add_branch
        ))
        .routes(routes!(dictionaries::rename_branch))
        .routes(routes!(achievements::levels))
        .routes(routes!(achievements::badges))
        .routes(routes!(achievements::held, achievements::award))
        .routes(routes!(achievements::revoke))
        .routes(routes!(certifications::list))
        .routes(routes!(certifications::get_one))
        .routes(routes!(
            certifications::assignments,
            certifications::add_assignment
        ))
        .routes(routes!(certifications::remove_assignment))
        .routes(routes!(certifications::results))
        .routes(routes!(certifications::person_results))
        .routes(routes!(certifications::attempts))
        .routes(routes!(certifications::reset))
        .routes(routes!(certifications::grant_attempt));
    let (router, mut doc) = router.split_for_parts();
    // After the routes are in: modifiers of the derive run on the empty document.
    ProblemResponses.modify(&mut doc);
    (router, doc)
}

/// `/api/v1/*`, `/api/v1/openapi.json` and `/api/docs`.
pub fn router(app: AppState, runtime: ApiRuntime) -> Router {
    let state = ApiState { app, runtime };
    let (api, doc) = documented();
    let api = api
        .route("/api/v1/{*rest}", axum::routing::any(problem::no_route))
        .method_not_allowed_fallback(problem::no_method)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            keys::authenticate,
        ))
        .layer(axum::middleware::from_fn(problem::render))
        .with_state(state);
    let docs: Router = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .url("/api/v1/openapi.json", doc)
        .into();
    Router::new().merge(docs).merge(api)
}
