//! Display helpers: turn instants and spans into the calm, plain strings the UI shows, in the
//! mentee's time zone. The UI carries no time-zone data of its own.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kindred_core::clock::local_date;
use kindred_core::ipc::SoberTimeView;
use kindred_core::milestones::SoberTime;

/// "Sat 14 Mar 2026, 21:00" in `tz`.
pub fn when(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).format("%a %-d %b %Y, %H:%M").to_string()
}

/// "Sat 14 Mar 2026" in `tz`.
pub fn day(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).format("%a %-d %b %Y").to_string()
}

/// The `datetime-local` form value of an instant in `tz`.
pub fn form_value(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "in 45 minutes", "in 5 hours", "tomorrow", "in 12 days" (calendar days in `tz`).
pub fn until(now: DateTime<Utc>, at: DateTime<Utc>, tz: Tz) -> String {
    let secs = (at - now).num_seconds().max(0);
    let minutes = (secs + 59) / 60;
    if minutes < 60 {
        return format!("in {}", plural(minutes, "minute", "minutes"));
    }
    if secs < 24 * 60 * 60 {
        return format!("in {}", plural((secs / 3600).max(1), "hour", "hours"));
    }
    let days = (local_date(at, tz) - local_date(now, tz)).num_days();
    if days <= 1 {
        "tomorrow".to_owned()
    } else {
        format!("in {days} days")
    }
}

/// Sober time for display: hours and minutes only in the first three days.
pub fn sober(t: SoberTime) -> SoberTimeView {
    SoberTimeView { days: t.days, hours: t.hours, minutes: t.minutes, show_hours: t.days < 3 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn until_is_plain() {
        let tz = chrono_tz::Europe::London;
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 10, 0, 0).unwrap();
        assert_eq!(until(now, now + chrono::Duration::minutes(1), tz), "in 1 minute");
        assert_eq!(until(now, now + chrono::Duration::minutes(59), tz), "in 59 minutes");
        let almost = now + chrono::Duration::seconds(3599);
        assert_eq!(until(now, almost, tz), "in 1 hour");
        assert_eq!(until(now, now + chrono::Duration::hours(1), tz), "in 1 hour");
        assert_eq!(until(now, now + chrono::Duration::hours(30), tz), "tomorrow");
        assert_eq!(until(now, now + chrono::Duration::days(12), tz), "in 12 days");
        assert_eq!(when(now, tz), "Fri 1 May 2026, 11:00");
    }
}
