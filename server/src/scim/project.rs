//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): which attributes a resource is
//! returned with. Names are case-insensitive and may be sub-attributes (`name.givenName`) or
//! carry their schema URN; `schemas` and `id` are always returned.

use app::domain::scim::{ENTERPRISE_SCHEMA, TELEGRAM_SCHEMA, USER_SCHEMA};
use serde_json::{Map, Value};

/// (container key, attribute, sub-attribute) of a requested name.
fn locate(name: &str) -> (Option<&'static str>, String, Option<String>) {
    let lower = name.trim().to_ascii_lowercase();
    for ext in [ENTERPRISE_SCHEMA, TELEGRAM_SCHEMA] {
        let e = ext.to_ascii_lowercase();
        if lower == e {
            return (None, ext.to_owned(), None);
        }
        if let Some(rest) = lower.strip_prefix(&format!("{e}:")) {
            return (Some(ext), rest.to_owned(), None);
        }
    }
    let core = USER_SCHEMA.to_ascii_lowercase();
    let plain = lower
        .strip_prefix(&format!("{core}:"))
        .or_else(|| {
            lower.strip_prefix(&format!(
                "{}:",
                app::domain::scim::GROUP_SCHEMA.to_ascii_lowercase()
            ))
        })
        .unwrap_or(&lower)
        .to_owned();
    match plain.split_once('.') {
        Some((a, sub)) => (None, a.to_owned(), Some(sub.to_owned())),
        None => (None, plain, None),
    }
}

fn key_of(map: &Map<String, Value>, lower: &str) -> Option<String> {
    map.keys()
        .find(|k| k.to_ascii_lowercase() == lower)
        .cloned()
}

pub fn project(resource: Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    let Value::Object(mut map) = resource else {
        return resource;
    };
    let list = |s: Option<&str>| -> Vec<String> {
        s.into_iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let wanted = list(attributes);
    if !wanted.is_empty() {
        let mut out = Map::new();
        for k in ["schemas", "id"] {
            if let Some(v) = map.get(k) {
                out.insert(k.to_owned(), v.clone());
            }
        }
        for name in &wanted {
            let (container, attr, sub) = locate(name);
            let source = match container {
                Some(ext) => map.get(ext).and_then(Value::as_object),
                None => Some(&map),
            };
            let Some(source) = source else { continue };
            let Some(key) = key_of(source, &attr) else {
                continue;
            };
            let mut value = source[&key].clone();
            if let (Some(sub), Value::Object(inner)) = (&sub, &value) {
                let Some(sk) = key_of(inner, sub) else {
                    continue;
                };
                let mut only = Map::new();
                only.insert(sk.clone(), inner[&sk].clone());
                value = Value::Object(only);
            }
            let target = match container {
                Some(ext) => out
                    .entry(ext.to_owned())
                    .or_insert_with(|| Value::Object(Map::new())),
                None => {
                    merge(&mut out, key, value);
                    continue;
                }
            };
            if let Value::Object(t) = target {
                merge(t, key, value);
            }
        }
        return Value::Object(out);
    }
    for name in list(excluded) {
        let (container, attr, sub) = locate(&name);
        if attr == "id" || attr == "schemas" {
            continue;
        }
        let target = match container {
            Some(ext) => map.get_mut(ext).and_then(Value::as_object_mut),
            None => Some(&mut map),
        };
        let Some(target) = target else { continue };
        let Some(key) = key_of(target, &attr) else {
            continue;
        };
        match sub {
            None => {
                target.remove(&key);
            }
            Some(sub) => {
                if let Some(Value::Object(inner)) = target.get_mut(&key)
                    && let Some(sk) = key_of(inner, &sub)
                {
                    inner.remove(&sk);
                }
            }
        }
    }
    Value::Object(map)
}

fn merge(out: &mut Map<String, Value>, key: String, value: Value) {
    match (out.get_mut(&key), value) {
        (Some(Value::Object(have)), Value::Object(more)) => have.extend(more),
        (_, value) => {
            out.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::project;
    use serde_json::json;

    fn user() -> serde_json::Value {
        json!({
            "schemas": ["s"], "id": "1", "userName": "a", "active": true,
            "name": { "givenName": "A", "familyName": "B" },
            "members": [1],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Sales" },
        })
    }

    #[test]
    fn attributes_keep_only_what_is_asked_and_excluded_drops_it() {
        assert_eq!(
            project(
                user(),
                Some(
                    "userName,name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
                ),
                None
            ),
            json!({ "schemas": ["s"], "id": "1", "userName": "a", "name": { "givenName": "A" },
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Sales" } })
        );
        let out = project(user(), None, Some("MEMBERS, name.familyName, id"));
        assert!(out.get("members").is_none());
        assert_eq!(out["name"], json!({ "givenName": "A" }));
        assert_eq!(out["id"], "1", "id is always returned");
    }
}
