//! SCIM 2.0 (RFC 7643 / 7644) as plain rules: the schemas we speak, the errors, the user's
//! mapped attributes, and reading a resource (POST, PUT) or a PATCH into them. The HTTP layer
//! (`server::scim`) and the service (`crate::scim`) only translate.

pub mod filter;
pub mod patch;
pub mod phone;

use serde_json::Value;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Ours: the person's Telegram user id, for identity providers that hold it.
pub const TELEGRAM_SCHEMA: &str = "urn:attest:params:scim:schemas:extension:telegram:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Why a SCIM request is refused, with its `scimType` (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimError {
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    #[error("invalid syntax: {0}")]
    InvalidSyntax(String),
    #[error("invalid path: {0}")]
    InvalidPath(String),
    #[error("invalid value: {0}")]
    InvalidValue(String),
    #[error("no target: {0}")]
    NoTarget(String),
    #[error("not mutable: {0}")]
    Mutability(String),
}

impl ScimError {
    pub fn scim_type(&self) -> &'static str {
        match self {
            ScimError::InvalidFilter(_) => "invalidFilter",
            ScimError::InvalidSyntax(_) => "invalidSyntax",
            ScimError::InvalidPath(_) => "invalidPath",
            ScimError::InvalidValue(_) => "invalidValue",
            ScimError::NoTarget(_) => "noTarget",
            ScimError::Mutability(_) => "mutability",
        }
    }
}

/// Which of our fields `userName` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserNameMapping {
    /// The admin-panel login (case-insensitive; an e-mail-like UPN fits).
    #[default]
    Login,
    /// The Telegram user id, as digits.
    TelegramId,
}

/// A person as SCIM sees them: the attributes we map and keep.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScimUser {
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub active: bool,
    /// As the identity provider wrote it; matched by its digits (`phone::digits`).
    pub phone: Option<String>,
    /// The enterprise extension's `department`: our branch, by name.
    pub department: Option<String>,
    /// `title`: our position, by name.
    pub title: Option<String>,
    pub telegram_id: Option<i64>,
}

/// One of the attributes a request may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attr {
    UserName,
    ExternalId,
    Active,
    Name,
    GivenName,
    FamilyName,
    DisplayName,
    /// `phoneNumbers`, or one of its values picked by a `[type eq "..."]` filter.
    Phones {
        of_type: Option<String>,
    },
    Department,
    Title,
    TelegramId,
    /// Read-only (`id`, `meta`, `schemas`, `groups`): silently kept as is, as Okta sends
    /// `id` back in its updates.
    ReadOnly,
    /// An attribute we do not keep (e-mails, addresses, manager, locale, ...): accepted and
    /// ignored, so a provider's default mapping does not fail.
    NotKept,
}

/// Resolves a PATCH path or a body key (case-insensitive, with or without schema URN).
pub fn attr_of(path: &str) -> Result<Attr, ScimError> {
    let p = path.trim();
    if p.is_empty() || p.contains(char::is_control) {
        return Err(ScimError::InvalidPath(path.to_owned()));
    }
    let lower = p.to_ascii_lowercase();
    let (schema, rest) = split_schema(&lower);
    match schema {
        Some(s) if s == ENTERPRISE_SCHEMA.to_ascii_lowercase() => {
            return Ok(match rest {
                "department" => Attr::Department,
                _ => Attr::NotKept,
            });
        }
        Some(s) if s == TELEGRAM_SCHEMA.to_ascii_lowercase() => {
            return Ok(match rest {
                "telegramid" => Attr::TelegramId,
                _ => Attr::NotKept,
            });
        }
        Some(s) if s == USER_SCHEMA.to_ascii_lowercase() => {}
        Some(_) => return Ok(Attr::NotKept),
        None => {}
    }
    if let Some(inner) = rest.strip_prefix("phonenumbers[") {
        let (cond, after) = inner
            .split_once(']')
            .ok_or_else(|| ScimError::InvalidPath(path.to_owned()))?;
        if !(after.is_empty() || after == ".value") {
            return Ok(Attr::NotKept);
        }
        let terms = filter::parse(cond, &["type", "value", "primary"])
            .map_err(|_| ScimError::InvalidPath(path.to_owned()))?;
        let of_type = terms
            .iter()
            .find(|t| t.attr == "type")
            .and_then(|t| t.value.as_text())
            .map(|t| t.to_ascii_lowercase());
        return Ok(Attr::Phones { of_type });
    }
    if rest.contains('[') || rest.contains(']') {
        // Other multi-valued filters (`emails[type eq "work"].value`) are attributes we do
        // not keep; a broken one is still a broken path.
        let balanced = rest.matches('[').count() == rest.matches(']').count();
        return if balanced {
            Ok(Attr::NotKept)
        } else {
            Err(ScimError::InvalidPath(path.to_owned()))
        };
    }
    Ok(match rest {
        "username" => Attr::UserName,
        "externalid" => Attr::ExternalId,
        "active" => Attr::Active,
        "name" => Attr::Name,
        "name.givenname" => Attr::GivenName,
        "name.familyname" => Attr::FamilyName,
        "displayname" => Attr::DisplayName,
        "phonenumbers" | "phonenumbers.value" => Attr::Phones { of_type: None },
        "title" => Attr::Title,
        "id" | "meta" | "schemas" | "groups" => Attr::ReadOnly,
        r if r.starts_with("meta.") => Attr::ReadOnly,
        "name.formatted" | "name.middlename" | "name.honorificprefix" | "name.honorificsuffix" => {
            Attr::NotKept
        }
        r if NOT_KEPT.contains(&r.split(['.', '[']).next().unwrap_or(r)) => Attr::NotKept,
        // Not an attribute of the core User schema: a typo or another resource's attribute.
        _ => return Err(ScimError::InvalidPath(path.to_owned())),
    })
}

/// Core User attributes (RFC 7643 §4.1) we accept and do not keep.
const NOT_KEPT: &[&str] = &[
    "nickname",
    "profileurl",
    "usertype",
    "preferredlanguage",
    "locale",
    "timezone",
    "password",
    "emails",
    "ims",
    "photos",
    "addresses",
    "entitlements",
    "roles",
    "x509certificates",
];

/// The extension a path names as a whole (`urn:…:enterprise:2.0:User`), if it does.
pub fn extension_of(path: &str) -> Option<&'static str> {
    [ENTERPRISE_SCHEMA, TELEGRAM_SCHEMA]
        .into_iter()
        .find(|s| path.trim().eq_ignore_ascii_case(s))
}

/// `urn:...:User:department` → (`urn:...:User`, `department`); a plain name has no schema.
fn split_schema(lower: &str) -> (Option<&str>, &str) {
    if !lower.starts_with("urn:") {
        return (None, lower);
    }
    for s in [ENTERPRISE_SCHEMA, TELEGRAM_SCHEMA, USER_SCHEMA] {
        // `get`, not indexing: a key of other characters may not split at this byte.
        if let (Some(head), Some(tail)) = (lower.get(..s.len()), lower.get(s.len()..))
            && head.eq_ignore_ascii_case(s)
            && let Some(rest) = tail.strip_prefix(':')
        {
            return (Some(head), rest);
        }
        if lower.eq_ignore_ascii_case(s) {
            return (Some(lower), "");
        }
    }
    match lower.rsplit_once(':') {
        Some((s, a)) => (Some(s), a),
        None => (None, lower),
    }
}

/// A string attribute; `null` or `""` is no value.
pub fn opt_string(v: &Value, attr: &str) -> Result<Option<String>, ScimError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        _ => Err(ScimError::InvalidValue(format!("{attr} must be a string"))),
    }
}

/// A boolean, also as Entra ID sometimes sends it (`"False"`).
pub fn boolean(v: &Value, attr: &str) -> Result<bool, ScimError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::InvalidValue(format!(
            "{attr} must be true or false"
        ))),
    }
}

/// The Telegram id: a positive integer, or its digits as a string.
pub fn telegram_id(v: &Value) -> Result<Option<i64>, ScimError> {
    let bad = || ScimError::InvalidValue("telegramId must be a positive integer".into());
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().filter(|n| *n > 0).map(Some).ok_or_else(bad),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The phone to keep from a `phoneNumbers` array: the primary one, else the mobile one, else
/// the first.
pub fn pick_phone(v: &Value) -> Result<Option<String>, ScimError> {
    let items = match v {
        Value::Null => return Ok(None),
        Value::Array(a) => a,
        _ => {
            return Err(ScimError::InvalidValue(
                "phoneNumbers must be a list".into(),
            ));
        }
    };
    let of = |pred: &dyn Fn(&Value) -> bool| items.iter().find(|i| pred(i));
    let chosen = of(&|i| i["primary"] == Value::Bool(true) || i["primary"] == "true")
        .or_else(|| {
            of(&|i| {
                i["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("mobile"))
            })
        })
        .or_else(|| items.first());
    match chosen {
        None => Ok(None),
        Some(i) => opt_string(&i["value"], "phoneNumbers.value"),
    }
}

impl ScimUser {
    /// Reads a POST or PUT body. For a PUT, `current` is the stored state: what the body does
    /// not carry keeps its value (Okta's PUT omits `active`; providers rarely send every
    /// attribute we map), but what it carries replaces it, `null` clearing it.
    pub fn from_resource(body: &Value, current: Option<&ScimUser>) -> Result<ScimUser, ScimError> {
        if !body.is_object() {
            return Err(ScimError::InvalidSyntax(
                "the body must be a JSON object".into(),
            ));
        }
        let mut u = current.cloned().unwrap_or(ScimUser {
            active: true,
            ..ScimUser::default()
        });
        let mut names = false;
        let mut display = None;
        for (key, value) in body.as_object().into_iter().flatten() {
            if value.is_object()
                && (key.eq_ignore_ascii_case(ENTERPRISE_SCHEMA)
                    || key.eq_ignore_ascii_case(TELEGRAM_SCHEMA))
            {
                for (k, v) in value.as_object().into_iter().flatten() {
                    u.set(
                        &attr_of(&format!("{key}:{k}"))?,
                        v,
                        &mut names,
                        &mut display,
                    )?;
                }
                continue;
            }
            u.set(&attr_of(key)?, value, &mut names, &mut display)?;
        }
        if u.user_name.trim().is_empty() {
            return Err(ScimError::InvalidValue("userName is required".into()));
        }
        if u.given_name.is_empty() {
            u.fill_names_from(display.as_deref());
        }
        Ok(u)
    }

    /// Sets one attribute from a JSON value; `names` records that a name was given and
    /// `display` keeps `displayName`, which only fills names nobody gave.
    pub(crate) fn set(
        &mut self,
        attr: &Attr,
        v: &Value,
        names: &mut bool,
        display: &mut Option<String>,
    ) -> Result<(), ScimError> {
        match attr {
            Attr::UserName => {
                self.user_name = opt_string(v, "userName")?
                    .ok_or_else(|| ScimError::InvalidValue("userName is required".into()))?;
            }
            Attr::ExternalId => self.external_id = opt_string(v, "externalId")?,
            Attr::Active => self.active = boolean(v, "active")?,
            Attr::Name => {
                if !(v.is_object() || v.is_null()) {
                    return Err(ScimError::InvalidValue("name must be an object".into()));
                }
                if let Some(g) = v.get("givenName") {
                    self.given_name = opt_string(g, "name.givenName")?.unwrap_or_default();
                    *names = true;
                }
                if let Some(f) = v.get("familyName") {
                    self.family_name = opt_string(f, "name.familyName")?.unwrap_or_default();
                    *names = true;
                }
            }
            Attr::GivenName => {
                self.given_name = opt_string(v, "name.givenName")?.unwrap_or_default();
                *names = true;
            }
            Attr::FamilyName => {
                self.family_name = opt_string(v, "name.familyName")?.unwrap_or_default();
                *names = true;
            }
            Attr::DisplayName => *display = opt_string(v, "displayName")?,
            Attr::Phones { of_type: None } => {
                self.phone = if v.is_array() || v.is_null() {
                    pick_phone(v)?
                } else {
                    opt_string(v, "phoneNumbers.value")?
                };
            }
            Attr::Phones { of_type: Some(t) } => {
                let value = if v.is_object() {
                    opt_string(&v["value"], "phoneNumbers.value")?
                } else {
                    opt_string(v, "phoneNumbers.value")?
                };
                // One phone is kept: a mobile number wins over other types.
                if t == "mobile" || self.phone.is_none() {
                    self.phone = value;
                }
            }
            Attr::Department => self.department = opt_string(v, "department")?,
            Attr::Title => self.title = opt_string(v, "title")?,
            Attr::TelegramId => {
                if let Some(id) = telegram_id(v)? {
                    self.telegram_id = Some(id);
                }
            }
            Attr::ReadOnly | Attr::NotKept => {}
        }
        Ok(())
    }

    /// Names from `displayName` ("First Last"), else from the user name's local part.
    fn fill_names_from(&mut self, display: Option<&str>) {
        let source = display.map(str::to_owned).unwrap_or_else(|| {
            self.user_name
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        });
        let mut parts = source.split_whitespace();
        if let Some(first) = parts.next() {
            self.given_name = first.to_owned();
            let rest: Vec<&str> = parts.collect();
            if !rest.is_empty() {
                self.family_name = rest.join(" ");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_resolve_case_insensitively_with_or_without_their_schema() {
        assert_eq!(attr_of("userName").unwrap(), Attr::UserName);
        assert_eq!(attr_of("ACTIVE").unwrap(), Attr::Active);
        assert_eq!(attr_of("name.givenName").unwrap(), Attr::GivenName);
        assert_eq!(
            attr_of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
                .unwrap(),
            Attr::Department
        );
        assert_eq!(
            attr_of("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager").unwrap(),
            Attr::NotKept
        );
        assert_eq!(
            attr_of("urn:attest:params:scim:schemas:extension:telegram:2.0:User:telegramId")
                .unwrap(),
            Attr::TelegramId
        );
        assert_eq!(
            attr_of(r#"phoneNumbers[type eq "mobile"].value"#).unwrap(),
            Attr::Phones {
                of_type: Some("mobile".into())
            }
        );
        assert_eq!(
            attr_of(r#"emails[type eq "work"].value"#).unwrap(),
            Attr::NotKept
        );
        assert_eq!(attr_of("id").unwrap(), Attr::ReadOnly);
        assert!(matches!(attr_of(""), Err(ScimError::InvalidPath(_))));
        assert!(matches!(
            attr_of("nonexistentAttr"),
            Err(ScimError::InvalidPath(_))
        ));
        assert_eq!(
            attr_of("urn:foo:bar").unwrap(),
            Attr::NotKept,
            "another schema: not ours to judge"
        );
        assert_eq!(
            attr_of("addresses[type eq \"work\"].locality").unwrap(),
            Attr::NotKept
        );
        assert!(matches!(
            attr_of("emails[type eq"),
            Err(ScimError::InvalidPath(_))
        ));
    }

    #[test]
    fn a_created_resource_maps_what_entra_and_okta_send() {
        let entra = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
            "externalId": "alice", "userName": "Alice@contoso.com", "active": "True",
            "displayName": "Alice Smith",
            "emails": [{ "primary": true, "type": "work", "value": "alice@contoso.com" }],
            "name": { "formatted": "Alice Smith", "familyName": "Smith", "givenName": "Alice" },
            "phoneNumbers": [{ "type": "work", "value": "+1 555 0100" }, { "type": "mobile", "value": "+7 (999) 123-45-67" }],
            "title": "Engineer",
            ENTERPRISE_SCHEMA: { "department": "Sales", "manager": { "value": "x" } },
            TELEGRAM_SCHEMA: { "telegramId": "777" },
        });
        let u = ScimUser::from_resource(&entra, None).unwrap();
        assert_eq!(
            u,
            ScimUser {
                user_name: "Alice@contoso.com".into(),
                external_id: Some("alice".into()),
                given_name: "Alice".into(),
                family_name: "Smith".into(),
                active: true,
                phone: Some("+7 (999) 123-45-67".into()),
                department: Some("Sales".into()),
                title: Some("Engineer".into()),
                telegram_id: Some(777),
            }
        );
        // Without names, displayName or the user name fills them.
        let bare = ScimUser::from_resource(
            &json!({ "userName": "bob.jones@x.io", "displayName": "Bob Jones" }),
            None,
        )
        .unwrap();
        assert_eq!(
            (bare.given_name.as_str(), bare.family_name.as_str()),
            ("Bob", "Jones")
        );
        let bare = ScimUser::from_resource(&json!({ "userName": "carol@x.io" }), None).unwrap();
        assert_eq!(bare.given_name, "carol");
        assert!(bare.active, "active unless said");
        assert!(matches!(
            ScimUser::from_resource(&json!({ "displayName": "x" }), None),
            Err(ScimError::InvalidValue(_))
        ));
        assert!(matches!(
            ScimUser::from_resource(&json!({ "userName": "x", "active": "maybe" }), None),
            Err(ScimError::InvalidValue(_))
        ));
        assert!(matches!(
            ScimUser::from_resource(&json!([1]), None),
            Err(ScimError::InvalidSyntax(_))
        ));
    }

    #[test]
    fn a_put_that_omits_active_does_not_deactivate() {
        let current = ScimUser {
            user_name: "a".into(),
            given_name: "A".into(),
            active: true,
            department: Some("Sales".into()),
            ..ScimUser::default()
        };
        let put = json!({ "userName": "a", "name": { "givenName": "Ann", "familyName": "Lee" } });
        let u = ScimUser::from_resource(&put, Some(&current)).unwrap();
        assert!(u.active);
        assert_eq!(u.department.as_deref(), Some("Sales"), "not carried: kept");
        assert_eq!(u.given_name, "Ann");
        let put = json!({ "userName": "a", "active": false, "title": null, ENTERPRISE_SCHEMA: { "department": null } });
        let u = ScimUser::from_resource(&put, Some(&current)).unwrap();
        assert!(!u.active);
        assert_eq!(u.department, None, "carried as null: cleared");
        assert_eq!(u.given_name, "A", "names not carried: kept");
    }
}
