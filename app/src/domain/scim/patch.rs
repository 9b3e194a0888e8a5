//! SCIM PATCH (RFC 7644 §3.5.2): `add`, `replace` and `remove`, operation names in any case,
//! with a `path` or with an object of attributes and no path. Entra ID sends `Add` where it
//! means replace, booleans as strings, and `Remove` of members with a value list instead of a
//! filter; Okta sends `replace` with an object. All of them are read the same way.

use super::{Attr, ScimError, ScimUser, attr_of, filter, opt_string};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub op: Op,
    pub path: Option<String>,
    pub value: Value,
}

/// Reads `{"schemas": [PatchOp], "Operations": [...]}`.
pub fn operations(body: &Value) -> Result<Vec<Operation>, ScimError> {
    let ops = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::InvalidSyntax("Operations is missing".into()))?;
    ops.iter()
        .map(|o| {
            let name = o
                .get("op")
                .and_then(Value::as_str)
                .ok_or_else(|| ScimError::InvalidSyntax("an operation has no op".into()))?;
            let op = match name.to_ascii_lowercase().as_str() {
                "add" => Op::Add,
                "replace" => Op::Replace,
                "remove" => Op::Remove,
                other => {
                    return Err(ScimError::InvalidSyntax(format!(
                        "the operation {other} is not add, replace or remove"
                    )));
                }
            };
            let path = match o.get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if p.trim().is_empty() => None,
                Some(Value::String(p)) => Some(p.trim().to_owned()),
                Some(_) => return Err(ScimError::InvalidPath("path must be a string".into())),
            };
            let value = o.get("value").cloned().unwrap_or(Value::Null);
            if op != Op::Remove && path.is_none() && !value.is_object() {
                return Err(ScimError::InvalidValue(
                    "without a path the value must be an object of attributes".into(),
                ));
            }
            Ok(Operation { op, path, value })
        })
        .collect()
}

/// Applies operations to a user in order. `add` and `replace` behave the same on our
/// single-valued attributes; `remove` clears an optional one.
pub fn apply_to_user(user: &mut ScimUser, ops: &[Operation]) -> Result<(), ScimError> {
    let mut names = false;
    let mut display = None;
    for o in ops {
        match (&o.op, &o.path) {
            (Op::Remove, None) => {
                return Err(ScimError::NoTarget("remove needs a path".into()));
            }
            // A whole extension: removing it clears what we keep of it; setting it sets each
            // attribute of the object.
            (Op::Remove, Some(path)) if super::extension_of(path).is_some() => {
                let ext = super::extension_of(path).unwrap_or_default();
                let kept = if ext == super::ENTERPRISE_SCHEMA {
                    "department"
                } else {
                    "telegramId"
                };
                remove(user, &attr_of(&format!("{ext}:{kept}"))?)?;
            }
            (_, Some(path)) if super::extension_of(path).is_some() => {
                let ext = super::extension_of(path).unwrap_or_default();
                let Some(fields) = o.value.as_object() else {
                    return Err(ScimError::InvalidValue(format!("{ext} takes an object")));
                };
                for (k, v) in fields {
                    user.set(
                        &attr_of(&format!("{ext}:{k}"))?,
                        v,
                        &mut names,
                        &mut display,
                    )?;
                }
            }
            (Op::Remove, Some(path)) => remove(user, &attr_of(path)?)?,
            (_, Some(path)) => user.set(&attr_of(path)?, &o.value, &mut names, &mut display)?,
            (_, None) => {
                for (key, v) in o.value.as_object().into_iter().flatten() {
                    let nested = v.is_object()
                        && (key.eq_ignore_ascii_case(super::ENTERPRISE_SCHEMA)
                            || key.eq_ignore_ascii_case(super::TELEGRAM_SCHEMA));
                    if nested {
                        for (k, v) in v.as_object().into_iter().flatten() {
                            user.set(
                                &attr_of(&format!("{key}:{k}"))?,
                                v,
                                &mut names,
                                &mut display,
                            )?;
                        }
                    } else {
                        user.set(&attr_of(key)?, v, &mut names, &mut display)?;
                    }
                }
            }
        }
    }
    if user.given_name.trim().is_empty() {
        return Err(ScimError::InvalidValue(
            "name.givenName cannot be empty".into(),
        ));
    }
    Ok(())
}

fn remove(user: &mut ScimUser, attr: &Attr) -> Result<(), ScimError> {
    match attr {
        Attr::UserName | Attr::GivenName | Attr::Name | Attr::Active => {
            return Err(ScimError::InvalidValue("this attribute is required".into()));
        }
        Attr::ExternalId => user.external_id = None,
        Attr::FamilyName => user.family_name.clear(),
        Attr::Phones { .. } => user.phone = None,
        Attr::Department => user.department = None,
        Attr::Title => user.title = None,
        Attr::TelegramId => {
            return Err(ScimError::Mutability(
                "the Telegram account is unlinked in the admin panel".into(),
            ));
        }
        Attr::DisplayName | Attr::ReadOnly | Attr::NotKept => {}
    }
    Ok(())
}

/// What a PATCH of a group does; members are our user ids as SCIM sends them (strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    Rename(String),
    /// The provider's id of the group (`None` clears it).
    ExternalId(Option<String>),
    Add(Vec<String>),
    Remove(Vec<String>),
    /// `replace` of `members`: exactly these.
    Set(Vec<String>),
    RemoveAll,
}

fn member_ids(v: &Value) -> Result<Vec<String>, ScimError> {
    let bad = || ScimError::InvalidValue("members must be a list of {\"value\": id}".into());
    let items = match v {
        Value::Array(a) => a.clone(),
        Value::Object(_) => vec![v.clone()],
        Value::Null => Vec::new(),
        _ => return Err(bad()),
    };
    items
        .iter()
        .map(|m| match &m["value"] {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(bad()),
        })
        .collect()
}

/// Reads a group PATCH: `displayName` and `members` (add, remove by filter or by value list,
/// replace); other attributes are not kept.
pub fn group_changes(ops: &[Operation]) -> Result<Vec<GroupChange>, ScimError> {
    let mut out = Vec::new();
    for o in ops {
        let path = o
            .path
            .as_deref()
            .map(|p| filter::strip_schema(p).to_owned());
        let lower = path.as_deref().map(str::to_ascii_lowercase);
        match (o.op, lower.as_deref()) {
            (Op::Remove, None) => return Err(ScimError::NoTarget("remove needs a path".into())),
            (_, None) => {
                for (key, v) in o.value.as_object().into_iter().flatten() {
                    match filter::strip_schema(key).to_ascii_lowercase().as_str() {
                        "displayname" => out.push(rename(v)?),
                        "externalid" => {
                            out.push(GroupChange::ExternalId(opt_string(v, "externalId")?))
                        }
                        "members" if o.op == Op::Add => out.push(GroupChange::Add(member_ids(v)?)),
                        "members" => out.push(GroupChange::Set(member_ids(v)?)),
                        _ => {}
                    }
                }
            }
            (Op::Remove, Some("displayname")) => {
                return Err(ScimError::InvalidValue("displayName is required".into()));
            }
            (_, Some("displayname")) => out.push(rename(&o.value)?),
            (Op::Remove, Some("externalid")) => out.push(GroupChange::ExternalId(None)),
            (_, Some("externalid")) => {
                out.push(GroupChange::ExternalId(opt_string(&o.value, "externalId")?))
            }
            (Op::Add, Some("members")) => out.push(GroupChange::Add(member_ids(&o.value)?)),
            (Op::Replace, Some("members")) => out.push(GroupChange::Set(member_ids(&o.value)?)),
            // No value removes everyone; a list (even an empty one) removes those listed.
            (Op::Remove, Some("members")) if o.value.is_null() => out.push(GroupChange::RemoveAll),
            (Op::Remove, Some("members")) => out.push(GroupChange::Remove(member_ids(&o.value)?)),
            (Op::Remove, Some(p)) if p.starts_with("members[") => {
                let original = path.as_deref().unwrap_or_default();
                let cond = original["members[".len()..]
                    .strip_suffix(']')
                    .ok_or_else(|| ScimError::InvalidPath(original.to_owned()))?;
                let terms = filter::parse(cond, &["value"])
                    .map_err(|_| ScimError::InvalidPath(original.to_owned()))?;
                let ids = terms.iter().filter_map(|t| t.value.as_text()).collect();
                out.push(GroupChange::Remove(ids));
            }
            (_, Some(p)) if p.starts_with("members") => {
                return Err(ScimError::InvalidPath(path.unwrap_or_default()));
            }
            _ => {}
        }
    }
    Ok(out)
}

fn rename(v: &Value) -> Result<GroupChange, ScimError> {
    opt_string(v, "displayName")?
        .map(GroupChange::Rename)
        .ok_or_else(|| ScimError::InvalidValue("displayName is required".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> ScimUser {
        ScimUser {
            user_name: "alice@contoso.com".into(),
            given_name: "Alice".into(),
            family_name: "Smith".into(),
            active: true,
            department: Some("Sales".into()),
            ..ScimUser::default()
        }
    }

    fn patch(ops: Value) -> Vec<Operation> {
        operations(&json!({ "schemas": [super::super::PATCH_SCHEMA], "Operations": ops })).unwrap()
    }

    #[test]
    fn entra_id_deactivation_and_updates() {
        let mut u = user();
        // Entra's non-compliant form: a string boolean, the op capitalised.
        apply_to_user(
            &mut u,
            &patch(json!([{ "op": "Replace", "path": "active", "value": "False" }])),
        )
        .unwrap();
        assert!(!u.active);
        // Entra sends `Add` where it means replace, with filtered and URN paths.
        apply_to_user(
            &mut u,
            &patch(json!([
                { "op": "Add", "path": "name.givenName", "value": "Alicia" },
                { "op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 555 0100" },
                { "op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+7 999 123 45 67" },
                { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Support" },
                { "op": "Add", "path": "emails[type eq \"work\"].value", "value": "alicia@contoso.com" },
                { "op": "Replace", "path": "active", "value": true },
            ])),
        )
        .unwrap();
        assert_eq!(u.given_name, "Alicia");
        assert_eq!(u.phone.as_deref(), Some("+7 999 123 45 67"), "mobile wins");
        assert_eq!(u.department.as_deref(), Some("Support"));
        assert!(u.active);
        apply_to_user(
            &mut u,
            &patch(json!([{ "op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" }])),
        )
        .unwrap();
        assert_eq!(u.department, None);
    }

    #[test]
    fn a_whole_extension_is_set_and_removed_by_its_urn() {
        let mut u = user();
        let ext = super::super::ENTERPRISE_SCHEMA;
        apply_to_user(
            &mut u,
            &patch(json!([{ "op": "replace", "path": ext, "value": { "department": "Ops" } }])),
        )
        .unwrap();
        assert_eq!(u.department.as_deref(), Some("Ops"));
        apply_to_user(&mut u, &patch(json!([{ "op": "remove", "path": ext }]))).unwrap();
        assert_eq!(u.department, None);
        assert!(matches!(
            apply_to_user(
                &mut u,
                &patch(json!([{ "op": "add", "path": "nonexistentAttr", "value": 1 }]))
            ),
            Err(ScimError::InvalidPath(_))
        ));
    }

    #[test]
    fn okta_and_pathless_operations() {
        let mut u = user();
        apply_to_user(
            &mut u,
            &patch(json!([{ "op": "replace", "value": { "id": "17", "active": false, "name.familyName": "Jones",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Ops" } } }])),
        )
        .unwrap();
        assert!(!u.active);
        assert_eq!(u.family_name, "Jones");
        assert_eq!(u.department.as_deref(), Some("Ops"));
    }

    #[test]
    fn bad_patches_are_refused_with_their_scim_type() {
        let mut u = user();
        assert!(matches!(
            operations(&json!({ "Operations": [{ "op": "move", "path": "active" }] })),
            Err(ScimError::InvalidSyntax(_))
        ));
        assert!(matches!(
            operations(&json!({})),
            Err(ScimError::InvalidSyntax(_))
        ));
        assert!(matches!(
            apply_to_user(&mut u, &patch(json!([{ "op": "remove" }]))),
            Err(ScimError::NoTarget(_))
        ));
        assert!(matches!(
            apply_to_user(
                &mut u,
                &patch(json!([{ "op": "remove", "path": "userName" }]))
            ),
            Err(ScimError::InvalidValue(_))
        ));
        assert!(matches!(
            apply_to_user(
                &mut u,
                &patch(json!([{ "op": "replace", "path": "active", "value": 3 }]))
            ),
            Err(ScimError::InvalidValue(_))
        ));
        assert!(matches!(
            operations(&json!({ "Operations": [{ "op": "add", "value": "x" }] })),
            Err(ScimError::InvalidValue(_))
        ));
    }

    #[test]
    fn group_membership_in_every_form_providers_send() {
        let ops = patch(json!([
            { "op": "Add", "path": "members", "value": [{ "value": "5" }, { "value": 6 }] },
            { "op": "Remove", "path": "members", "value": [{ "value": "7" }] },
            { "op": "remove", "path": "members[value eq \"8\"]" },
            { "op": "replace", "path": "displayName", "value": "Support" },
            { "op": "replace", "value": { "id": "3", "displayName": "Ops" } },
            { "op": "remove", "path": "members", "value": [] },
            { "op": "remove", "path": "members" },
        ]));
        assert_eq!(
            group_changes(&ops).unwrap(),
            vec![
                GroupChange::Add(vec!["5".into(), "6".into()]),
                GroupChange::Remove(vec!["7".into()]),
                GroupChange::Remove(vec!["8".into()]),
                GroupChange::Rename("Support".into()),
                GroupChange::Rename("Ops".into()),
                GroupChange::Remove(Vec::new()),
                GroupChange::RemoveAll,
            ]
        );
        assert!(
            group_changes(&patch(json!([{ "op": "remove", "path": "members[value" }]))).is_err()
        );
    }
}
