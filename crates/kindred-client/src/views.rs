//! Display helpers: turn instants and spans into the calm, plain strings the UI shows, in the
//! mentee's time zone. The UI carries no time-zone data of its own.

use chrono::{DateTime, Datelike, Timelike, Utc};
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

/// A moment in words, for a title: "Tonight, 22:21", "This morning, 07:10", "Yesterday,
/// 18:42", "Tuesday, 09:05", else "Fri 27 Nov, 18:42" (with the year when it is not this
/// year). Days are calendar days in `tz`; "tonight"/"this morning" only for today.
pub fn when_words(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let time = local.format("%H:%M");
    let days = (local_date(now, tz) - local.date_naive()).num_days();
    let part = match local.hour() {
        5..=11 => "This morning",
        12..=17 => "This afternoon",
        18..=23 => "Tonight",
        _ => "Last night",
    };
    match days {
        0 => format!("{part}, {time}"),
        1 => format!("Yesterday, {time}"),
        2..=6 => format!("{}, {time}", local.format("%A")),
        _ if local.year() == now.with_timezone(&tz).year() => {
            local.format("%a %-d %b, %H:%M").to_string()
        }
        _ => local.format("%a %-d %b %Y, %H:%M").to_string(),
    }
}

/// How strong, in a word: 0–3 "mild", 4–6 "moderate", 7–10 "strong".
pub fn intensity_word(intensity: u8) -> &'static str {
    match intensity {
        0..=3 => "mild",
        4..=6 => "moderate",
        _ => "strong",
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

    #[test]
    fn moments_are_in_words_by_local_day() {
        let tz = chrono_tz::America::New_York;
        // Sunday 8 March 2026, 22:30 in New York (the day the clocks went forward).
        let now = tz.with_ymd_and_hms(2026, 3, 8, 22, 30, 0).unwrap().with_timezone(&Utc);
        let at = |d, h, m| tz.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap().with_timezone(&Utc);
        assert_eq!(when_words(at(8, 22, 21), now, tz), "Tonight, 22:21");
        assert_eq!(when_words(at(8, 7, 10), now, tz), "This morning, 07:10");
        assert_eq!(when_words(at(8, 1, 5), now, tz), "Last night, 01:05");
        assert_eq!(when_words(at(7, 23, 59), now, tz), "Yesterday, 23:59");
        assert_eq!(when_words(at(3, 9, 5), now, tz), "Tuesday, 09:05");
        assert_eq!(when_words(at(1, 9, 5), now, tz), "Sun 1 Mar, 09:05");
        let old = tz.with_ymd_and_hms(2025, 12, 31, 20, 0, 0).unwrap().with_timezone(&Utc);
        assert_eq!(when_words(old, now, tz), "Wed 31 Dec 2025, 20:00");
        // 23:30 UTC on the 7th is already the 8th in Tokyo: "today" follows the zone.
        let utc_late = Utc.with_ymd_and_hms(2026, 3, 7, 23, 30, 0).unwrap();
        let tokyo = chrono_tz::Asia::Tokyo;
        let tokyo_now = Utc.with_ymd_and_hms(2026, 3, 8, 3, 0, 0).unwrap();
        assert_eq!(when_words(utc_late, tokyo_now, tokyo), "This morning, 08:30");
    }

    #[test]
    fn intensity_words_cover_the_scale() {
        let words: Vec<_> = (0..=10).map(intensity_word).collect();
        assert_eq!(words[..4], ["mild"; 4]);
        assert_eq!(words[4..7], ["moderate"; 3]);
        assert_eq!(words[7..], ["strong"; 4]);
    }
}
