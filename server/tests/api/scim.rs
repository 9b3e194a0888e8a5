//! SCIM 2.0 through the real server: the request sequences of Entra ID's provisioning cycle
//! and Okta's integration test (written from their public docs), groups as branches,
//! discovery, and the three ways a provisioned person's Telegram account gets linked.

use crate::helpers::{Backend, Options, TestApp, eventually, spawn_app, spawn_app_with};
use app::api_keys::NewApiKey;
use app::domain::TelegramId;
use app::domain::audit::Origin;
use app::domain::user::{Role, UserStatus};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::time::Duration;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const TELEGRAM: &str = "urn:attest:params:scim:schemas:extension:telegram:2.0:User";

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    let k = NewApiKey {
        name: "Entra".into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        rate_per_sec: 1000,
        burst: 1000,
        ..NewApiKey::default()
    };
    app::api_keys::service::create(&app.state, None, k, &Origin::channel("test"))
        .await
        .expect("key created")
        .secret
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

async fn scim(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = reqwest::Client::new()
        .request(method, app.url(&format!("/scim/v2{path}")))
        .bearer_auth(key)
        .header("accept-language", "en");
    for (h, v) in headers {
        req = req.header(*h, *v);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

fn scim_error(a: &Answer, status: u16, scim_type: Option<&str>) {
    assert_eq!(a.status, status, "{:?}", a.body);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/scim+json")
    );
    assert_eq!(
        a.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(a.body["status"], status.to_string(), "{:?}", a.body);
    if let Some(t) = scim_type {
        assert_eq!(a.body["scimType"], t, "{:?}", a.body);
    }
    assert!(!a.body["detail"].as_str().unwrap_or("").is_empty());
}

fn q(filter: &str) -> String {
    format!("/Users?filter={}", urlencode(filter))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn entra_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": "alice",
        "userName": "Alice@contoso.com",
        "active": true,
        "displayName": "Alice Smith",
        "emails": [{ "primary": true, "type": "work", "value": "alice@contoso.com" }],
        "meta": { "resourceType": "User" },
        "name": { "formatted": "Alice Smith", "familyName": "Smith", "givenName": "Alice" },
        "title": "Engineer",
        "phoneNumbers": [{ "type": "mobile", "value": "+7 (999) 111-22-33" }],
        ENTERPRISE: { "department": "Sales" },
    })
}

async fn audited(app: &TestApp, action: &str) -> Vec<app::audit::AuditRow> {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::audit::recent(c.conn(), Some(action), 50)
        .await
        .unwrap()
}

/// Entra ID: find by filter, create, find again, update with its PATCH forms, deactivate,
/// delete, and create again (which brings the person back).
async fn entra_id_provisioning_cycle(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["scim"]).await;

    let none = scim(
        &app,
        &k,
        Method::GET,
        &q(r#"userName eq "Alice@contoso.com""#),
        None,
        &[],
    )
    .await;
    assert_eq!(none.status, 200);
    assert_eq!(
        none.header("content-type").as_deref(),
        Some("application/scim+json")
    );
    assert_eq!(none.body["totalResults"], 0);
    assert_eq!(none.body["Resources"], json!([]));

    let created = scim(&app, &k, Method::POST, "/Users", Some(entra_user()), &[]).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location").unwrap(),
        format!("{}/scim/v2/Users/{id}", app.state.config.public_url)
    );
    assert_eq!(
        created.header("etag").as_deref(),
        created.body["meta"]["version"].as_str()
    );
    assert_eq!(
        created.body["userName"], "alice@contoso.com",
        "userName is the login, case-insensitive"
    );
    assert_eq!(created.body["name"]["givenName"], "Alice");
    assert_eq!(created.body["title"], "Engineer");
    assert_eq!(created.body[ENTERPRISE]["department"], "Sales");
    assert_eq!(created.body[TELEGRAM]["linked"], false);
    assert_eq!(created.body["active"], true);
    {
        let mut c = app.state.db.read().await.unwrap();
        let u = app::storage::users::get_by_external_id(c.conn(), "alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(u.status, UserStatus::Active);
        assert_eq!(u.role, Role::Employee);
        assert_eq!(u.telegram_id, None, "linked later");
        let branches = app::storage::dictionaries::list(
            c.conn(),
            app::storage::dictionaries::Dictionary::Branches,
        )
        .await
        .unwrap();
        assert!(
            branches
                .iter()
                .any(|b| Some(b.id) == u.branch_id.map(|b| b.0) && b.name == "Sales"),
            "the branch was created"
        );
    }
    let dup = scim(&app, &k, Method::POST, "/Users", Some(entra_user()), &[]).await;
    scim_error(&dup, 409, Some("uniqueness"));

    for f in [
        r#"userName eq "ALICE@contoso.com""#,
        r#"externalId eq "alice""#,
        r#"active eq true and userName eq "alice@contoso.com""#,
    ] {
        let found = scim(&app, &k, Method::GET, &q(f), None, &[]).await;
        assert_eq!(found.body["totalResults"], 1, "{f}: {:?}", found.body);
        assert_eq!(found.body["Resources"][0]["id"], id.as_str());
    }
    let bad = scim(&app, &k, Method::GET, &q(r#"userName co "ali""#), None, &[]).await;
    scim_error(&bad, 400, Some("invalidFilter"));
    let bad = scim(
        &app,
        &k,
        Method::GET,
        &q(r#"userName eq "a" or active eq true"#),
        None,
        &[],
    )
    .await;
    scim_error(&bad, 400, Some("invalidFilter"));

    let only = scim(
        &app,
        &k,
        Method::GET,
        &format!("/Users/{id}?attributes=userName"),
        None,
        &[],
    )
    .await;
    assert_eq!(
        only.body.as_object().unwrap().len(),
        3,
        "schemas, id, userName: {:?}",
        only.body
    );
    let without = scim(
        &app,
        &k,
        Method::GET,
        &format!("/Users/{id}?excludedAttributes=name,phoneNumbers"),
        None,
        &[],
    )
    .await;
    assert!(without.body.get("name").is_none() && without.body.get("phoneNumbers").is_none());
    assert_eq!(without.body["userName"], "alice@contoso.com");

    // Entra's PATCH: `Add` where it means replace, filtered and URN paths, string booleans.
    let patch = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        { "op": "Add", "path": "name.givenName", "value": "Alicia" },
        { "op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Support" },
        { "op": "Add", "path": "emails[type eq \"work\"].value", "value": "alicia@contoso.com" },
        { "op": "Replace", "path": "userName", "value": "alicia@contoso.com" },
    ]});
    let patched = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(patch),
        &[],
    )
    .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.body["name"]["givenName"], "Alicia");
    assert_eq!(patched.body["userName"], "alicia@contoso.com");
    assert_eq!(patched.body[ENTERPRISE]["department"], "Support");
    assert_ne!(
        patched.body["meta"]["version"],
        created.body["meta"]["version"]
    );
    let stale = created.header("etag").unwrap();
    let refused = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(json!({ "Operations": [{ "op": "replace", "path": "title", "value": "Lead" }] })),
        &[("if-match", &stale)],
    )
    .await;
    scim_error(&refused, 412, None);
    let bad = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(json!({ "Operations": [{ "op": "remove" }] })),
        &[],
    )
    .await;
    scim_error(&bad, 400, Some("noTarget"));
    let bad = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(json!("nope")),
        &[],
    )
    .await;
    scim_error(&bad, 400, Some("invalidSyntax"));
    let bad = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(json!({ "Operations": [{ "op": "add", "path": "nonexistentAttr", "value": "x" }] })),
        &[],
    )
    .await;
    scim_error(&bad, 400, Some("invalidPath"));
    // A whole extension by its URN.
    let whole = scim(&app, &k, Method::PATCH, &format!("/Users/{id}"),
        Some(json!({ "Operations": [{ "op": "replace", "path": ENTERPRISE, "value": { "department": "Support" } }] })), &[]).await;
    assert_eq!(
        whole.body[ENTERPRISE]["department"], "Support",
        "{:?}",
        whole.body
    );
    let patched = scim(&app, &k, Method::GET, &format!("/Users/{id}"), None, &[]).await;

    // Deactivation (Entra's non-compliant form) ends the person's sessions at once.
    let bob = scim(&app, &k, Method::POST, "/Users", Some(json!({
        "userName": "bob@contoso.com", "name": { "givenName": "Bob" }, TELEGRAM: { "telegramId": "700100" },
    })), &[]).await;
    assert_eq!(bob.status, 201, "{:?}", bob.body);
    assert_eq!(bob.body[TELEGRAM]["telegramId"], 700100);
    assert_eq!(app.sign_in_telegram(700100, "Bob").await.status, 200);
    assert_eq!(app.get("/auth/me").await.status, 200);
    let bob_id = bob.body["id"].as_str().unwrap();
    let off = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{bob_id}"),
        Some(json!({ "Operations": [{ "op": "Replace", "path": "active", "value": "False" }] })),
        &[],
    )
    .await;
    assert_eq!(off.body["active"], false, "{:?}", off.body);
    assert_eq!(
        app.get("/auth/me").await.status,
        401,
        "the session ended with the deactivation"
    );

    // DELETE hides the person from SCIM; a new POST of the same userName brings them back.
    let etag = patched.header("etag").unwrap();
    let gone = scim(
        &app,
        &k,
        Method::DELETE,
        &format!("/Users/{id}"),
        None,
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(gone.status, 204, "{:?}", gone.body);
    scim_error(
        &scim(&app, &k, Method::GET, &format!("/Users/{id}"), None, &[]).await,
        404,
        None,
    );
    assert_eq!(
        scim(
            &app,
            &k,
            Method::GET,
            &q(r#"userName eq "alicia@contoso.com""#),
            None,
            &[]
        )
        .await
        .body["totalResults"],
        0
    );
    {
        let mut c = app.state.db.read().await.unwrap();
        let kept = app::storage::users::get_by_external_id(c.conn(), "alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            kept.status,
            UserStatus::Deactivated,
            "kept, never hard-deleted"
        );
    }
    let mut again = entra_user();
    again["userName"] = json!("alicia@contoso.com");
    let back = scim(&app, &k, Method::POST, "/Users", Some(again), &[]).await;
    assert_eq!(back.status, 201, "{:?}", back.body);
    assert_eq!(back.body["id"], id.as_str(), "the same person, reactivated");
    assert_eq!(back.body["active"], true);
    assert_eq!(back.body[ENTERPRISE]["department"], "Sales");

    // Every change is audited with the key as actor.
    for action in ["user_preregistered", "user_edited", "telegram_linked"] {
        let rows = audited(&app, action).await;
        assert!(
            rows.iter()
                .any(|r| r.actor_label.contains("Entra") && r.channel == "api"),
            "{action}: {rows:?}"
        );
    }
    app.stop().await;
}

/// Okta's integration test: list with paging, create, read, PUT without `active`, PUT that
/// deactivates, PATCH that reactivates.
async fn okta_integration_sequence(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["scim"]).await;
    let none = scim(
        &app,
        &k,
        Method::GET,
        &format!(
            "{}&startIndex=1&count=100",
            q(r#"userName eq "carol@okta.example""#)
        ),
        None,
        &[],
    )
    .await;
    assert_eq!(none.body["totalResults"], 0);
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "carol@okta.example",
        "name": { "givenName": "Carol", "familyName": "Lee" },
        "emails": [{ "primary": true, "value": "carol@okta.example", "type": "work" }],
        "displayName": "Carol Lee", "locale": "en-US", "externalId": "00u1", "groups": [], "active": true,
    });
    let created = scim(&app, &k, Method::POST, "/Users", Some(user.clone()), &[]).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let read = scim(&app, &k, Method::GET, &format!("/Users/{id}"), None, &[]).await;
    assert_eq!(read.body["name"]["familyName"], "Lee");

    let mut put = read.body.clone();
    put.as_object_mut().unwrap().remove("active");
    put["name"]["familyName"] = json!("Lee-Park");
    let replaced = scim(
        &app,
        &k,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(put),
        &[],
    )
    .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
    assert_eq!(
        replaced.body["active"], true,
        "a PUT without active does not deactivate"
    );
    assert_eq!(replaced.body["name"]["familyName"], "Lee-Park");

    let mut off = replaced.body.clone();
    off["active"] = json!(false);
    let deactivated = scim(
        &app,
        &k,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(off),
        &[],
    )
    .await;
    assert_eq!(deactivated.body["active"], false);
    let inactive = scim(&app, &k, Method::GET, &q("active eq false"), None, &[]).await;
    assert_eq!(inactive.body["totalResults"], 1);

    let on = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(
            json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{ "op": "replace", "value": { "active": true } }] }),
        ),
        &[],
    )
    .await;
    assert_eq!(on.body["active"], true, "{:?}", on.body);

    let mut second = user.clone();
    second["userName"] = json!("dave@okta.example");
    second["externalId"] = json!("00u2");
    assert_eq!(
        scim(&app, &k, Method::POST, "/Users", Some(second), &[])
            .await
            .status,
        201
    );
    let page = scim(
        &app,
        &k,
        Method::GET,
        "/Users?startIndex=2&count=1",
        None,
        &[],
    )
    .await;
    assert_eq!(page.body["startIndex"], 2);
    assert_eq!(page.body["itemsPerPage"], 1);
    assert!(page.body["totalResults"].as_i64().unwrap() >= 2);
    let counted = scim(&app, &k, Method::GET, "/Users?count=0", None, &[]).await;
    assert_eq!(counted.body["Resources"], json!([]));
    assert!(counted.body["totalResults"].as_i64().unwrap() >= 2);
    app.stop().await;
}

async fn groups_are_branches(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["scim"]).await;
    let alice = scim(&app, &k, Method::POST, "/Users", Some(entra_user()), &[]).await;
    let alice_id = alice.body["id"].as_str().unwrap().to_owned();

    let created = scim(
        &app,
        &k,
        Method::POST,
        "/Groups",
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Support",
            "externalId": "8d1c-entra-object-id", "members": [],
        })),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["externalId"], "8d1c-entra-object-id");
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let by_ext = scim(
        &app,
        &k,
        Method::GET,
        &format!(
            "/Groups?filter={}",
            urlencode(r#"externalId eq "8d1c-entra-object-id""#)
        ),
        None,
        &[],
    )
    .await;
    assert_eq!(by_ext.body["Resources"][0]["id"], gid.as_str());
    let dup = scim(
        &app,
        &k,
        Method::POST,
        "/Groups",
        Some(json!({ "displayName": "Support" })),
        &[],
    )
    .await;
    scim_error(&dup, 409, Some("uniqueness"));

    let add = json!({ "Operations": [{ "op": "Add", "path": "members", "value": [{ "value": alice_id }] }] });
    let after = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(add),
        &[],
    )
    .await;
    assert_eq!(after.status, 200, "{:?}", after.body);
    assert_eq!(after.body["members"][0]["value"], alice_id.as_str());
    let moved = scim(
        &app,
        &k,
        Method::GET,
        &format!("/Users/{alice_id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(
        moved.body[ENTERPRISE]["department"], "Support",
        "one branch: moved from Sales"
    );

    let found = scim(
        &app,
        &k,
        Method::GET,
        &format!(
            "/Groups?filter={}&excludedAttributes=members",
            urlencode(r#"displayName eq "support""#)
        ),
        None,
        &[],
    )
    .await;
    assert_eq!(found.body["totalResults"], 1);
    assert!(found.body["Resources"][0].get("members").is_none());
    let member_of = scim(
        &app,
        &k,
        Method::GET,
        &format!(
            "/Groups?filter={}",
            urlencode(&format!(r#"id eq "{gid}" and members eq "{alice_id}""#))
        ),
        None,
        &[],
    )
    .await;
    assert_eq!(member_of.body["totalResults"], 1, "{:?}", member_of.body);

    let stale = created.header("etag").unwrap();
    let refused = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(json!({ "Operations": [{ "op": "replace", "path": "displayName", "value": "X" }] })),
        &[("if-match", &stale)],
    )
    .await;
    scim_error(&refused, 412, None);
    let remove = json!({ "Operations": [
        { "op": "remove", "path": format!("members[value eq \"{alice_id}\"]") },
        { "op": "replace", "path": "displayName", "value": "Customer care" },
    ]});
    let after = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(remove),
        &[],
    )
    .await;
    assert_eq!(after.body["members"], json!([]));
    assert_eq!(after.body["displayName"], "Customer care");
    let left = scim(
        &app,
        &k,
        Method::GET,
        &format!("/Users/{alice_id}"),
        None,
        &[],
    )
    .await;
    assert!(
        left.body[ENTERPRISE].get("department").is_none(),
        "no branch: {:?}",
        left.body
    );

    let bad = scim(&app, &k, Method::PATCH, &format!("/Groups/{gid}"),
        Some(json!({ "Operations": [{ "op": "add", "path": "members", "value": [{ "value": "999999" }] }] })), &[]).await;
    scim_error(&bad, 400, Some("invalidValue"));

    // All or nothing: a rename with a move of an admin (this key has no `admin` scope) changes
    // nothing at all.
    let boss = app
        .create_account("boss@contoso.com", "boss-password-1", Role::Admin, None)
        .await;
    let mixed = json!({ "Operations": [
        { "op": "replace", "path": "displayName", "value": "Renamed" },
        { "op": "add", "path": "members", "value": [{ "value": alice_id }, { "value": boss.id.to_string() }] },
    ]});
    let refused = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        Some(mixed),
        &[],
    )
    .await;
    scim_error(&refused, 403, None);
    let unchanged = scim(&app, &k, Method::GET, &format!("/Groups/{gid}"), None, &[]).await;
    assert_eq!(unchanged.body["displayName"], "Customer care");
    assert_eq!(
        unchanged.body["members"],
        json!([]),
        "alice was not moved either"
    );
    // Removing someone already gone (deleted over SCIM) is no error: the group is as asked.
    let bob = scim(
        &app,
        &k,
        Method::POST,
        "/Users",
        Some(json!({ "userName": "bob@contoso.com", "name": { "givenName": "Bob" } })),
        &[],
    )
    .await;
    let bob_id = bob.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        scim(
            &app,
            &k,
            Method::DELETE,
            &format!("/Users/{bob_id}"),
            None,
            &[]
        )
        .await
        .status,
        204
    );
    let gone = json!({ "Operations": [{ "op": "Remove", "path": "members", "value": [{ "value": bob_id }] }] });
    assert_eq!(
        scim(
            &app,
            &k,
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(gone),
            &[]
        )
        .await
        .status,
        200
    );
    // A department differing in case (Cyrillic too) is the same branch.
    let mut one = entra_user();
    one["userName"] = json!("ivan@contoso.com");
    one["externalId"] = json!("ivan");
    one[ENTERPRISE]["department"] = json!("Продажи");
    let mut two = one.clone();
    two["userName"] = json!("olga@contoso.com");
    two["externalId"] = json!("olga");
    two[ENTERPRISE]["department"] = json!("продажи");
    scim(&app, &k, Method::POST, "/Users", Some(one), &[]).await;
    let olga = scim(&app, &k, Method::POST, "/Users", Some(two), &[]).await;
    assert_eq!(
        olga.body[ENTERPRISE]["department"], "Продажи",
        "{:?}",
        olga.body
    );

    assert_eq!(
        scim(
            &app,
            &k,
            Method::DELETE,
            &format!("/Groups/{gid}"),
            None,
            &[]
        )
        .await
        .status,
        204
    );
    scim_error(
        &scim(&app, &k, Method::GET, &format!("/Groups/{gid}"), None, &[]).await,
        404,
        None,
    );
    let mut c = app.state.db.read().await.unwrap();
    let branches = app::storage::dictionaries::list(
        c.conn(),
        app::storage::dictionaries::Dictionary::Branches,
    )
    .await
    .unwrap();
    assert!(
        !branches.iter().any(|b| b.name == "Customer care"),
        "archived: out of pickers"
    );
    drop(c);
    app.stop().await;
}

async fn discovery_keys_and_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["scim"]).await;
    let other = key(&app, &["users:write"]).await;
    let spc = scim(&app, &k, Method::GET, "/ServiceProviderConfig", None, &[]).await;
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["etag"]["supported"], true);
    assert_eq!(spc.body["bulk"]["supported"], false);
    let types = scim(&app, &k, Method::GET, "/ResourceTypes", None, &[]).await;
    assert_eq!(types.body["totalResults"], 2);
    assert_eq!(
        scim(&app, &k, Method::GET, "/ResourceTypes/User", None, &[])
            .await
            .body["endpoint"],
        "/Users"
    );
    let schemas = scim(&app, &k, Method::GET, "/Schemas", None, &[]).await;
    let ids: Vec<&str> = schemas.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(
        ids.contains(&ENTERPRISE) && ids.contains(&TELEGRAM),
        "{ids:?}"
    );
    scim_error(
        &scim(&app, &k, Method::GET, "/Nope", None, &[]).await,
        404,
        None,
    );
    let search = scim(
        &app,
        &k,
        Method::POST,
        "/Users/.search",
        Some(json!({ "filter": "userName eq \"a\"" })),
        &[],
    )
    .await;
    scim_error(&search, 501, None);
    scim_error(
        &scim(&app, "at_live_wrong", Method::GET, "/Users", None, &[]).await,
        401,
        None,
    );
    scim_error(
        &scim(&app, &other, Method::GET, "/Users", None, &[]).await,
        403,
        None,
    );
    scim_error(
        &scim(&app, &k, Method::GET, "/Users/abc", None, &[]).await,
        404,
        None,
    );
    scim_error(
        &scim(&app, &k, Method::GET, "/Users?count=x", None, &[]).await,
        400,
        Some("invalidValue"),
    );
    let bad_name = scim(
        &app,
        &k,
        Method::POST,
        "/Users",
        Some(json!({ "userName": "has space" })),
        &[],
    )
    .await;
    scim_error(&bad_name, 400, Some("invalidValue"));
    let no_name = scim(
        &app,
        &k,
        Method::POST,
        "/Users",
        Some(json!({ "name": { "givenName": "X" } })),
        &[],
    )
    .await;
    scim_error(&no_name, 400, Some("invalidValue"));
    // A key without `admin` does not touch admins.
    let admin = app
        .create_account("boss@contoso.com", "boss-password-1", Role::Admin, None)
        .await;
    let refused = scim(
        &app,
        &k,
        Method::PATCH,
        &format!("/Users/{}", admin.id),
        Some(json!({ "Operations": [{ "op": "replace", "path": "active", "value": false }] })),
        &[],
    )
    .await;
    scim_error(&refused, 403, None);
    app.stop().await;
}

async fn app_with_bot(backend: Backend) -> (TestApp, crate::fake_bot::FakeTelegram) {
    let fake = crate::fake_bot::start().await;
    let app = spawn_app_with(
        backend,
        Options {
            bot_api_url: Some(fake.url.clone()),
            env: Vec::new(),
        },
    )
    .await;
    (app, fake)
}

async fn holder(app: &TestApp, tg: i64) -> Option<app::domain::user::User> {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::users::get_by_telegram_id(c.conn(), TelegramId(tg))
        .await
        .unwrap()
}

fn texts(fake: &crate::fake_bot::FakeTelegram, chat: i64) -> Vec<Value> {
    fake.calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["chat_id"] == chat)
        .map(|c| c.body)
        .collect()
}

async fn wait_texts(fake: &crate::fake_bot::FakeTelegram, chat: i64, n: usize) -> Vec<Value> {
    eventually(
        &format!("{n} message(s) to {chat}"),
        Duration::from_secs(20),
        || async {
            let t = texts(fake, chat);
            (t.len() >= n).then_some(t)
        },
    )
    .await
}

/// The extension attribute, the shared phone and the invite link each link a person.
async fn telegram_accounts_are_linked_three_ways(backend: Backend) {
    let (app, fake) = app_with_bot(backend).await;
    let k = key(&app, &["scim"]).await;

    // 1. The identity provider knows the Telegram id: the person signs in at once.
    let known = scim(&app, &k, Method::POST, "/Users", Some(json!({
        "userName": "erin@contoso.com", "name": { "givenName": "Erin" }, TELEGRAM: { "telegramId": 9001 },
    })), &[]).await;
    assert_eq!(known.status, 201, "{:?}", known.body);
    fake.send_text(9001, "Erin", "/start");
    let sent = wait_texts(&fake, 9001, 1).await;
    assert!(
        sent[0]["text"].as_str().unwrap().contains("Erin"),
        "{:?}",
        sent[0]
    );
    assert!(
        sent[0]["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"].is_string(),
        "active: the app opens"
    );
    let erin = holder(&app, 9001).await.unwrap();
    assert_eq!(erin.id.to_string(), known.body["id"].as_str().unwrap());
    assert_eq!(erin.status, UserStatus::Active);

    // 2. By phone: /start from an unknown person offers the contact button; a forged contact is
    // refused; their own contact links them, and the bare request they made goes away.
    let frank = scim(
        &app,
        &k,
        Method::POST,
        "/Users",
        Some(json!({
            "userName": "frank@contoso.com", "name": { "givenName": "Frank" },
            // The national form: Telegram shares +7…, the HR system kept 8….
            "phoneNumbers": [{ "type": "mobile", "value": "8 (999) 000-11-22" }],
        })),
        &[],
    )
    .await;
    let frank_id = frank.body["id"].as_str().unwrap().to_owned();
    fake.send_text(9002, "Фрэнк", "/start");
    let sent = wait_texts(&fake, 9002, 2).await;
    let button = &sent[1]["reply_markup"]["keyboard"][0][0];
    assert_eq!(button["request_contact"], true, "{:?}", sent[1]);
    let pending = holder(&app, 9002).await.unwrap();
    assert_eq!(pending.status, UserStatus::Pending);
    fake.send_contact(9002, "+79990001122", Some(5555));
    let sent = wait_texts(&fake, 9002, 3).await;
    assert!(
        sent[2]["text"].as_str().unwrap().contains("чужим"),
        "{:?}",
        sent[2]
    );
    assert_eq!(
        holder(&app, 9002).await.unwrap().id,
        pending.id,
        "not linked by someone else's contact"
    );
    fake.send_contact(9002, "79990001122", Some(9002));
    let sent = wait_texts(&fake, 9002, 4).await;
    assert!(
        sent[3]["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"].is_string(),
        "{:?}",
        sent[3]
    );
    let linked = holder(&app, 9002).await.unwrap();
    assert_eq!(linked.id.to_string(), frank_id);
    assert_eq!(linked.status, UserStatus::Active);
    {
        let mut c = app.state.db.read().await.unwrap();
        let folded = app::storage::users::get(c.conn(), pending.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(folded.telegram_id, None);
        assert_eq!(folded.status, UserStatus::Deactivated);
    }
    let frank_now = scim(
        &app,
        &k,
        Method::GET,
        &format!("/Users/{frank_id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(frank_now.body[TELEGRAM]["telegramId"], 9002);

    // 3. By invite link from the card: works once.
    let gina = scim(
        &app,
        &k,
        Method::POST,
        "/Users",
        Some(json!({
            "userName": "gina@contoso.com", "name": { "givenName": "Gina" },
        })),
        &[],
    )
    .await;
    let gina_id: i64 = gina.body["id"].as_str().unwrap().parse().unwrap();
    app.create_account("people", "people-password-1", Role::Admin, None)
        .await;
    assert_eq!(
        app.sign_in_admin("people", "people-password-1")
            .await
            .status,
        200
    );
    // The bot's username comes from getMe once the sender starts.
    let invite = eventually("the invite link", Duration::from_secs(20), || async {
        let r = app
            .call_json("users/telegram-invite", &json!({ "id": gina_id }))
            .await;
        (r.status == 200).then_some(r.body)
    })
    .await;
    let url = invite["url"].as_str().unwrap();
    let token = url.split("start=").nth(1).unwrap();
    assert!(token.starts_with("link_") && token.len() <= 64, "{url}");
    fake.send_text(9003, "Джина", &format!("/start {token}"));
    let sent = wait_texts(&fake, 9003, 1).await;
    assert!(
        sent[0]["text"].as_str().unwrap().contains("Gina"),
        "{:?}",
        sent[0]
    );
    assert_eq!(holder(&app, 9003).await.unwrap().id.0, gina_id);
    fake.send_text(9004, "Другой", &format!("/start {token}"));
    let sent = wait_texts(&fake, 9004, 1).await;
    assert!(
        sent[0]["text"]
            .as_str()
            .unwrap()
            .contains("недействительна"),
        "{:?}",
        sent[0]
    );
    assert!(
        holder(&app, 9004).await.is_none(),
        "a used link links nobody"
    );
    // A linked person gets no new link.
    let again = app
        .call_json("users/telegram-invite", &json!({ "id": gina_id }))
        .await;
    assert_eq!(again.status, 422);
    let linked_audit = audited(&app, "telegram_linked").await;
    for how in ["scim", "phone", "invite"] {
        assert!(
            linked_audit.iter().any(|r| r.details.contains(how)),
            "{how}: {linked_audit:?}"
        );
    }
    app.stop().await;
}

async fn two_changes_against_one_etag_apply_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["scim"]).await;
    let created = scim(
        &app,
        &k,
        Method::POST,
        "/Groups",
        Some(json!({ "displayName": "Склад", "members": [] })),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let etag = created.header("etag").expect("an ETag");
    // Several rounds of two renames sent together with the same If-Match: exactly one of each
    // pair applies, the other is told the group changed.
    for round in 0..5 {
        let current = scim(&app, &k, Method::GET, &format!("/Groups/{gid}"), None, &[]).await;
        let etag = current.header("etag").unwrap_or_else(|| etag.clone());
        let rename = |name: String| {
            let (app, k, gid, etag) = (&app, &k, &gid, etag.clone());
            async move {
                let body = json!({ "Operations": [{ "op": "replace", "path": "displayName", "value": name }] });
                scim(
                    app,
                    k,
                    Method::PATCH,
                    &format!("/Groups/{gid}"),
                    Some(body),
                    &[("if-match", etag.as_str())],
                )
                .await
                .status
            }
        };
        let (a, b) = tokio::join!(
            rename(format!("Склад {round}a")),
            rename(format!("Склад {round}b"))
        );
        let mut got = [a, b];
        got.sort();
        assert_eq!(got, [200, 412], "round {round}");
    }
}

crate::both_backends!(
    entra_id_provisioning_cycle,
    okta_integration_sequence,
    groups_are_branches,
    discovery_keys_and_errors,
    telegram_accounts_are_linked_three_ways,
    two_changes_against_one_etag_apply_once,
);
