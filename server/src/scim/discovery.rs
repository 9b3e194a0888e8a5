//! `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` (RFC 7643 §5–7): what we support
//! and the attributes we keep, so a provider's validator knows what to send.

use super::{CONTENT_TYPE, MAX_RESULTS, error_body};
use app::domain::scim::{
    ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, TELEGRAM_SCHEMA, USER_SCHEMA,
};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn answer(body: Value) -> Response {
    let mut res = (StatusCode::OK, body.to_string()).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    res
}

fn list(items: Vec<Value>) -> Value {
    json!({ "schemas": [LIST_SCHEMA], "totalResults": items.len(), "startIndex": 1,
        "itemsPerPage": items.len(), "Resources": items })
}

pub async fn service_provider_config() -> Response {
    answer(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": true },
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "API key",
            "description": "An API key with the scim scope, as Authorization: Bearer <key>",
            "primary": true,
        }],
        "meta": { "resourceType": "ServiceProviderConfig" },
    }))
}

fn resource_types_all() -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users", "schema": USER_SCHEMA,
            "schemaExtensions": [
                { "schema": ENTERPRISE_SCHEMA, "required": false },
                { "schema": TELEGRAM_SCHEMA, "required": false },
            ],
            "meta": { "resourceType": "ResourceType" },
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups", "schema": GROUP_SCHEMA,
            "description": "A branch; its members are the people of the branch",
            "meta": { "resourceType": "ResourceType" },
        }),
    ]
}

pub async fn resource_types() -> Response {
    answer(list(resource_types_all()))
}

pub async fn resource_type(Path(id): Path<String>) -> Response {
    match resource_types_all()
        .into_iter()
        .find(|r| r["id"] == id.as_str())
    {
        Some(r) => answer(r),
        None => error_body(StatusCode::NOT_FOUND, None, "no such resource type"),
    }
}

fn attr(name: &str, kind: &str, required: bool, unique: &str, case_exact: bool) -> Value {
    json!({ "name": name, "type": kind, "multiValued": false, "required": required,
        "caseExact": case_exact, "mutability": "readWrite", "returned": "default", "uniqueness": unique })
}

fn schemas_all() -> Vec<Value> {
    let schema = |id: &str, name: &str, attributes: Vec<Value>| {
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": id, "name": name,
            "attributes": attributes, "meta": { "resourceType": "Schema" } })
    };
    let read_only = |name: &str, kind: &str| {
        let mut a = attr(name, kind, false, "none", false);
        a["mutability"] = json!("readOnly");
        a
    };
    let mut name = attr("name", "complex", false, "none", false);
    name["subAttributes"] = json!([
        attr("givenName", "string", true, "none", false),
        attr("familyName", "string", false, "none", false),
        read_only("formatted", "string"),
    ]);
    let mut display = attr("displayName", "string", false, "none", false);
    display["description"] =
        json!("Made from the names; fills them only when a new person comes without a name");
    let mut phones = attr("phoneNumbers", "complex", false, "none", false);
    phones["multiValued"] = json!(true);
    phones["description"] = json!(
        "One number is kept (primary, else mobile); matched to the contact a person shares in the bot"
    );
    phones["subAttributes"] = json!([
        attr("value", "string", false, "none", false),
        attr("type", "string", false, "none", false),
        attr("primary", "boolean", false, "none", false),
    ]);
    let mut member_ref = attr("$ref", "reference", false, "none", false);
    member_ref["mutability"] = json!("immutable");
    member_ref["referenceTypes"] = json!(["User"]);
    let mut member_value = attr("value", "string", false, "none", true);
    member_value["mutability"] = json!("immutable");
    let mut members = attr("members", "complex", false, "none", false);
    members["multiValued"] = json!(true);
    members["subAttributes"] = json!([
        member_value,
        member_ref,
        read_only("display", "string"),
        read_only("type", "string"),
    ]);
    let mut telegram = attr("telegramId", "integer", false, "server", true);
    telegram["mutability"] = json!("immutable");
    telegram["description"] =
        json!("The person's Telegram user id; set once, changed only in the admin panel");
    let mut linked = read_only("linked", "boolean");
    linked["description"] = json!("Whether a Telegram account is linked");
    vec![
        schema(
            USER_SCHEMA,
            "User",
            vec![
                attr("userName", "string", true, "server", false),
                attr("externalId", "string", false, "server", true),
                name,
                display,
                attr("active", "boolean", false, "none", false),
                attr("title", "string", false, "none", false),
                phones,
            ],
        ),
        schema(
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            vec![attr("department", "string", false, "none", false)],
        ),
        schema(TELEGRAM_SCHEMA, "TelegramUser", vec![telegram, linked]),
        schema(
            GROUP_SCHEMA,
            "Group",
            vec![
                attr("displayName", "string", true, "server", false),
                attr("externalId", "string", false, "server", true),
                members,
            ],
        ),
    ]
}

pub async fn schemas() -> Response {
    answer(list(schemas_all()))
}

pub async fn schema(Path(id): Path<String>) -> Response {
    match schemas_all().into_iter().find(|s| s["id"] == id.as_str()) {
        Some(s) => answer(s),
        None => error_body(StatusCode::NOT_FOUND, None, "no such schema"),
    }
}
