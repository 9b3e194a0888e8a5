//! Whose day of activity is already in the database today, so that the further launches and
//! theory pages of the day do not write it again (`activity_days`, streak badges). Per
//! instance: another instance that has not seen the person today writes the day once more,
//! which changes nothing (the insert ignores a day already there).

use crate::domain::UserId;
use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Default)]
pub struct DaysNoted {
    /// The day (as `day_number` counts) and the people whose day is recorded.
    today: Mutex<(i64, HashSet<UserId>)>,
}

impl DaysNoted {
    /// Whether `user`'s day `day` is known to be recorded.
    pub fn has(&self, user: UserId, day: i64) -> bool {
        let today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        today.0 == day && today.1.contains(&user)
    }

    /// Remembers that the day `day` of `users` is recorded: call it once the transaction that
    /// wrote it has committed. A new day forgets the one before.
    pub fn noted(&self, users: impl IntoIterator<Item = UserId>, day: i64) {
        let mut today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if day > today.0 {
            *today = (day, HashSet::new());
        }
        if day == today.0 {
            today.1.extend(users);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_remembered_until_the_next_one() {
        let days = DaysNoted::default();
        assert!(!days.has(UserId(1), 10));
        days.noted([UserId(1), UserId(2)], 10);
        assert!(days.has(UserId(1), 10) && days.has(UserId(2), 10));
        assert!(!days.has(UserId(3), 10));
        assert!(!days.has(UserId(1), 11), "the next day is written again");
        days.noted([UserId(3)], 11);
        assert!(!days.has(UserId(1), 10), "the day before is forgotten");
        // A late request of the day before does not bring it back.
        days.noted([UserId(1)], 10);
        assert!(!days.has(UserId(1), 10) && days.has(UserId(3), 11));
    }
}
