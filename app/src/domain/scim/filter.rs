//! The part of SCIM's filter language (RFC 7644 §3.4.2.2) that identity providers send when
//! they look a resource up: `attr eq value`, joined by `and`. Attribute names and the operator
//! are case-insensitive and may carry their schema URN. Anything else is `invalidFilter`.

use super::ScimError;

/// A literal on the right of `eq`.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Str(String),
    Bool(bool),
    Num(i64),
    Null,
}

impl FilterValue {
    /// The value as a string, as SCIM compares ids and names (a number matches its digits).
    pub fn as_text(&self) -> Option<String> {
        match self {
            FilterValue::Str(s) => Some(s.clone()),
            FilterValue::Num(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// One `attr eq value` term; `attr` is lower-case, without its schema URN.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub attr: String,
    pub value: FilterValue,
}

/// Parses `userName eq "a" and active eq true`; `allowed` lists the attributes (lower-case)
/// this resource can be filtered by.
pub fn parse(filter: &str, allowed: &[&str]) -> Result<Vec<Term>, ScimError> {
    let mut lexer = Lexer { s: filter, pos: 0 };
    let mut terms = Vec::new();
    loop {
        let attr = lexer
            .word()
            .ok_or_else(|| invalid("an attribute name is missing"))?;
        let attr = strip_schema(&attr).to_lowercase();
        if !allowed.contains(&attr.as_str()) {
            return Err(invalid(&format!("filtering by {attr} is not supported")));
        }
        let op = lexer
            .word()
            .ok_or_else(|| invalid("an operator is missing"))?;
        if !op.eq_ignore_ascii_case("eq") {
            return Err(invalid(&format!(
                "the operator {op} is not supported (only eq)"
            )));
        }
        let value = lexer.value()?;
        terms.push(Term { attr, value });
        match lexer.word() {
            None => break,
            Some(w) if w.eq_ignore_ascii_case("and") => continue,
            Some(w) => {
                return Err(invalid(&format!("{w} is not supported here (only and)")));
            }
        }
    }
    Ok(terms)
}

/// `urn:ietf:params:scim:schemas:core:2.0:User:userName` → `userName`. Sub-attributes keep
/// their dot (`members.value`, `name.givenName`).
pub fn strip_schema(path: &str) -> &str {
    if path.to_ascii_lowercase().starts_with("urn:") {
        path.rsplit_once(':').map(|(_, a)| a).unwrap_or(path)
    } else {
        path
    }
}

fn invalid(why: &str) -> ScimError {
    ScimError::InvalidFilter(why.to_owned())
}

struct Lexer<'a> {
    s: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn skip_ws(&mut self) {
        while self.s[self.pos..].starts_with(char::is_whitespace) {
            self.pos += self.s[self.pos..].chars().next().map_or(1, char::len_utf8);
        }
    }

    /// A bare word: an attribute path, an operator, `and`, `true`, a number.
    fn word(&mut self) -> Option<String> {
        self.skip_ws();
        let rest = &self.s[self.pos..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')')
            .unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        self.pos += end;
        Some(rest[..end].to_owned())
    }

    fn value(&mut self) -> Result<FilterValue, ScimError> {
        self.skip_ws();
        let rest = &self.s[self.pos..];
        if let Some(body) = rest.strip_prefix('"') {
            // A JSON string: find its closing quote, honouring escapes.
            let mut escaped = false;
            for (i, c) in body.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        let lit = &rest[..i + 2];
                        self.pos += i + 2;
                        return serde_json::from_str::<String>(lit)
                            .map(FilterValue::Str)
                            .map_err(|_| invalid("a string is not valid"));
                    }
                    _ => escaped = false,
                }
            }
            return Err(invalid("a string is not closed"));
        }
        let w = self.word().ok_or_else(|| invalid("a value is missing"))?;
        match w.to_ascii_lowercase().as_str() {
            "true" => Ok(FilterValue::Bool(true)),
            "false" => Ok(FilterValue::Bool(false)),
            "null" => Ok(FilterValue::Null),
            _ => w
                .parse()
                .map(FilterValue::Num)
                .map_err(|_| invalid(&format!("{w} is not a value"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USERS: &[&str] = &["username", "externalid", "active", "id"];

    #[test]
    fn what_identity_providers_send_is_understood() {
        assert_eq!(
            parse(r#"userName eq "Alice@Example.com""#, USERS).unwrap(),
            vec![Term {
                attr: "username".into(),
                value: FilterValue::Str("Alice@Example.com".into())
            }]
        );
        let t = parse(
            r#"externalId EQ "HR-1" and ACTIVE eq True and urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a\"b""#,
            USERS,
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].value, FilterValue::Bool(true));
        assert_eq!(t[2].attr, "username");
        assert_eq!(t[2].value, FilterValue::Str("a\"b".into()));
        assert_eq!(
            parse("id eq 42", USERS).unwrap()[0].value.as_text(),
            Some("42".into())
        );
    }

    #[test]
    fn everything_else_is_an_invalid_filter() {
        for bad in [
            "",
            "userName",
            r#"userName co "a""#,
            r#"userName eq "a" or active eq true"#,
            r#"emails eq "a""#,
            r#"userName eq "unclosed"#,
            "userName eq bare",
            r#"(userName eq "a")"#,
            r#"userName eq "a" and"#,
        ] {
            assert!(
                matches!(parse(bad, USERS), Err(ScimError::InvalidFilter(_))),
                "{bad:?}"
            );
        }
    }
}
