//! Validation of the Mini App's `initData`, exactly as Telegram specifies:
//! the data-check string of every field but `hash` (sorted by key, `key=value`, joined by
//! newlines), `secret = HMAC_SHA256("WebAppData", bot_token)`, and
//! `hash = hex(HMAC_SHA256(secret, data_check_string))`, compared in constant time.

use super::user::TelegramProfile;
use super::{TelegramId, Timestamp};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// A launch validated against the bot token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInitData {
    pub user: TelegramProfile,
    pub auth_date: Timestamp,
    /// `startapp` parameter of the link that opened the Mini App, if any.
    pub start_param: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    #[error("initData is empty or not a query string")]
    Malformed,
    #[error("initData has no hash")]
    MissingHash,
    #[error("initData signature does not match")]
    BadSignature,
    #[error("initData has no valid auth_date")]
    MissingAuthDate,
    #[error("initData is older than the allowed age")]
    Expired,
    #[error("initData has no valid user")]
    MissingUser,
}

impl InitDataError {
    /// A short stable name, for the audit log.
    pub fn reason(self) -> &'static str {
        match self {
            InitDataError::Malformed => "malformed",
            InitDataError::MissingHash => "missing_hash",
            InitDataError::BadSignature => "bad_signature",
            InitDataError::MissingAuthDate => "missing_auth_date",
            InitDataError::Expired => "expired",
            InitDataError::MissingUser => "missing_user",
        }
    }
}

/// How old an `auth_date` may be; `None` switches the age check off (for Telegram's published
/// test vector, whose date is from 2022).
#[derive(Debug, Clone, Copy)]
pub struct MaxAge(pub Option<i64>);

/// Clock skew tolerated for an `auth_date` in the future.
const FUTURE_SKEW_SECS: i64 = 300;
const MAX_INIT_DATA_BYTES: usize = 8 * 1024;

pub fn validate(
    raw: &str,
    bot_token: &str,
    now: Timestamp,
    max_age_secs: MaxAge,
) -> Result<ValidInitData, InitDataError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_INIT_DATA_BYTES {
        return Err(InitDataError::Malformed);
    }
    let mut hash: Option<String> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if k.is_empty() {
            return Err(InitDataError::Malformed);
        }
        if k == "hash" {
            if hash.is_some() {
                return Err(InitDataError::Malformed);
            }
            hash = Some(v.into_owned());
        } else {
            fields.push((k.into_owned(), v.into_owned()));
        }
    }
    let hash = hash.ok_or(InitDataError::MissingHash)?;
    let expected = hex::decode(&hash).map_err(|_| InitDataError::BadSignature)?;
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    if fields.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(InitDataError::Malformed);
    }
    let check_string = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");

    let secret = hmac_sha256(b"WebAppData", bot_token.as_bytes());
    let actual = hmac_sha256(&secret, check_string.as_bytes());
    if expected.len() != actual.len() || !bool::from(actual.ct_eq(&expected)) {
        return Err(InitDataError::BadSignature);
    }

    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth_secs: i64 = field("auth_date")
        .and_then(|v| v.parse().ok())
        .ok_or(InitDataError::MissingAuthDate)?;
    let auth_date = Timestamp(auth_secs.saturating_mul(1000));
    if let MaxAge(Some(max_age)) = max_age_secs
        && (auth_date < now.minus_secs(max_age) || auth_date > now.plus_secs(FUTURE_SKEW_SECS))
    {
        return Err(InitDataError::Expired);
    }

    let user: WebAppUser = field("user")
        .and_then(|v| serde_json::from_str(v).ok())
        .ok_or(InitDataError::MissingUser)?;
    if user.id <= 0 {
        return Err(InitDataError::MissingUser);
    }
    Ok(ValidInitData {
        user: TelegramProfile {
            telegram_id: TelegramId(user.id),
            first_name: user.first_name,
            last_name: user.last_name.unwrap_or_default(),
            username: user.username,
            photo_url: user.photo_url.filter(|u| u.starts_with("https://")),
            language_code: user.language_code,
        },
        auth_date,
        start_param: field("start_param").map(str::to_owned),
    })
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Signs fields as Telegram does. Used by tests, the load generator and dev tooling.
pub fn sign(fields: &[(&str, &str)], bot_token: &str) -> String {
    let mut sorted: Vec<_> = fields.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let check_string = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let secret = hmac_sha256(b"WebAppData", bot_token.as_bytes());
    let hash = hex::encode(hmac_sha256(&secret, check_string.as_bytes()));
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k, v);
    }
    out.append_pair("hash", &hash);
    out.finish()
}

#[derive(Deserialize)]
struct WebAppUser {
    id: i64,
    #[serde(default)]
    first_name: String,
    last_name: Option<String>,
    username: Option<String>,
    photo_url: Option<String>,
    language_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8";
    const VECTOR: &str = "query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2";
    const NOW: Timestamp = Timestamp(1_700_000_000_000);

    #[test]
    fn telegrams_published_vector_is_valid() {
        let v = validate(VECTOR, TOKEN, NOW, MaxAge(None)).unwrap();
        assert_eq!(v.user.telegram_id, TelegramId(279058397));
        assert_eq!(v.user.first_name, "Vladislav");
        assert_eq!(v.user.last_name, "Kibenko");
        assert_eq!(v.user.username.as_deref(), Some("vdkfrost"));
        assert_eq!(v.auth_date, Timestamp(1_662_771_648_000));
    }

    #[test]
    fn the_vector_is_expired_with_the_age_check_on() {
        assert_eq!(
            validate(VECTOR, TOKEN, NOW, MaxAge(Some(86_400))),
            Err(InitDataError::Expired)
        );
    }

    #[test]
    fn a_different_token_or_an_altered_field_fails() {
        assert_eq!(
            validate(VECTOR, "123:other", NOW, MaxAge(None)),
            Err(InitDataError::BadSignature)
        );
        let altered = VECTOR.replace("Vladislav", "Vladimir");
        assert_eq!(
            validate(&altered, TOKEN, NOW, MaxAge(None)),
            Err(InitDataError::BadSignature)
        );
        let altered_date = VECTOR.replace("1662771648", "1662771649");
        assert_eq!(
            validate(&altered_date, TOKEN, NOW, MaxAge(None)),
            Err(InitDataError::BadSignature)
        );
    }

    #[test]
    fn malformed_input_is_refused_not_panicked_on() {
        for raw in [
            "",
            "   ",
            "hash",
            "a=1&b=2",
            "%%%",
            "=x&hash=00",
            "user=1&hash=zz",
        ] {
            assert!(validate(raw, TOKEN, NOW, MaxAge(None)).is_err(), "{raw}");
        }
        let long = "a".repeat(10_000);
        assert_eq!(
            validate(&long, TOKEN, NOW, MaxAge(None)),
            Err(InitDataError::Malformed)
        );
    }

    #[test]
    fn signed_fields_validate_including_unknown_ones() {
        let auth = (NOW.millis() / 1000).to_string();
        let raw = sign(
            &[
                ("auth_date", &auth),
                (
                    "user",
                    r#"{"id":7,"first_name":"Иван","photo_url":"https://t.me/i/u.jpg"}"#,
                ),
                ("signature", "abc"),
                ("chat_instance", "-1"),
                ("start_param", "cert_5"),
            ],
            TOKEN,
        );
        let v = validate(&raw, TOKEN, NOW, MaxAge(Some(60))).unwrap();
        assert_eq!(v.user.first_name, "Иван");
        assert_eq!(v.user.photo_url.as_deref(), Some("https://t.me/i/u.jpg"));
        assert_eq!(v.start_param.as_deref(), Some("cert_5"));
    }

    #[test]
    fn age_is_checked_on_both_sides() {
        let at = |secs: i64| {
            let auth = ((NOW.millis() / 1000) + secs).to_string();
            sign(&[("auth_date", &auth), ("user", r#"{"id":7}"#)], TOKEN)
        };
        assert!(validate(&at(-59), TOKEN, NOW, MaxAge(Some(60))).is_ok());
        assert_eq!(
            validate(&at(-61), TOKEN, NOW, MaxAge(Some(60))),
            Err(InitDataError::Expired)
        );
        assert_eq!(
            validate(&at(3600), TOKEN, NOW, MaxAge(Some(60))),
            Err(InitDataError::Expired)
        );
    }

    #[test]
    fn a_valid_signature_without_a_user_is_refused() {
        let auth = (NOW.millis() / 1000).to_string();
        let raw = sign(&[("auth_date", &auth)], TOKEN);
        assert_eq!(
            validate(&raw, TOKEN, NOW, MaxAge(None)),
            Err(InitDataError::MissingUser)
        );
    }
}
