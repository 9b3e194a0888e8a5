//! What a teloxide error means for a message. teloxide drops Telegram's numeric code and maps
//! descriptions it does not know to `ApiError::Unknown`, and its "can't initiate conversation"
//! variant still expects the old `Unauthorized:` wording: known variants are matched first,
//! everything else by the description's `Forbidden:` / `Bad Request:` prefix.

use app::domain::delivery::{SendOutcome, classify_text};
use teloxide::{ApiError, RequestError};

pub fn outcome(e: &RequestError) -> SendOutcome {
    match e {
        RequestError::RetryAfter(secs) => SendOutcome::RetryAfter(u64::from(secs.seconds())),
        RequestError::MigrateToChatId(chat) => SendOutcome::Migrated(chat.0),
        RequestError::Api(api) => match api {
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots => SendOutcome::Unreachable(api.to_string()),
            ApiError::Unknown(text) => classify_text(text),
            other => classify_text(&other.to_string()),
        },
        RequestError::Network(e) => SendOutcome::Transient(e.to_string()),
        RequestError::Io(e) => SendOutcome::Transient(e.to_string()),
        other => SendOutcome::Transient(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::{ChatId, Seconds};

    #[test]
    fn teloxide_errors_map_to_outcomes() {
        assert_eq!(
            outcome(&RequestError::RetryAfter(Seconds::from_seconds(7))),
            SendOutcome::RetryAfter(7)
        );
        assert_eq!(
            outcome(&RequestError::MigrateToChatId(ChatId(-1001))),
            SendOutcome::Migrated(-1001)
        );
        assert!(matches!(
            outcome(&RequestError::Api(ApiError::BotBlocked)),
            SendOutcome::Unreachable(_)
        ));
        assert!(matches!(
            outcome(&RequestError::Api(ApiError::Unknown(
                "Forbidden: bot can't initiate conversation with a user".into()
            ))),
            SendOutcome::Unreachable(_)
        ));
        assert_eq!(
            outcome(&RequestError::Api(ApiError::Unknown(
                "Bad Request: message thread not found".into()
            ))),
            SendOutcome::ThreadNotFound
        );
        assert!(matches!(
            outcome(&RequestError::Api(ApiError::MessageIsTooLong)),
            SendOutcome::Refused(_)
        ));
    }
}
