//! Tests of the reminder planner: milestones, quiet hours, discreet text, check-ins.
use super::*;
use crate::milestones::milestone_at;
use crate::model::ladder::{Ladder, Span};
use crate::model::settings::QuietHours;
use chrono::NaiveTime;
use proptest::prelude::*;
use uuid::Uuid;

/// Every IANA zone chrono-tz knows (DST rules, half-hour offsets, skipped days).
const ZONES: &[Tz] = &chrono_tz::TZ_VARIANTS;

fn ndt(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn tracker(start: ZonedDateTime, ladder: Ladder) -> Tracker {
    Tracker {
        id: TrackerId::from_uuid(Uuid::from_u128(0x0190_f5b2_7c4e_7a00_8000_0000_0000_0001)),
        label: "Alcohol".into(),
        start,
        ladder,
    }
}

fn settings(tz: Tz, time: NaiveTime, quiet: Option<(NaiveTime, NaiveTime)>) -> Settings {
    Settings {
        tz,
        milestone_reminders: true,
        reminder_time: time,
        quiet_hours: quiet.map(|(from, to)| QuietHours { from, to }),
        discreet: true,
        checkin_time: None,
    }
}

fn blocked(s: &str) -> Option<&'static str> {
    let lower = s.to_lowercase();
    BLOCKLIST.iter().copied().find(|w| lower.contains(w))
}

#[test]
fn thirty_days_across_spring_forward() {
    let tz = chrono_tz::America::New_York;
    let start = ZonedDateTime::new(ndt(2025, 2, 20, 21, 0), tz);
    let t = tracker(start, Ladder::Default);
    let input = [PlanInput { tracker: &t, current_start: start }];
    let s = settings(tz, hm(9, 0), None);
    let now = ZonedDateTime::new(ndt(2025, 3, 20, 12, 0), tz).instant();
    let plan = plan(&input, &s, now, Duration::days(7));
    assert_eq!(plan.len(), 2);
    let (before, on) = (&plan[0], &plan[1]);
    assert_eq!(before.kind, ReminderKind::DayBefore);
    assert_eq!(before.milestone_key, "d30");
    assert_eq!(before.at.with_timezone(&tz).naive_local(), ndt(2025, 3, 21, 9, 0));
    // 09:00 on the day comes before 21:00, when 30 days are reached: wait for the milestone.
    assert_eq!(on.kind, ReminderKind::OnTheDay);
    assert_eq!(on.at.with_timezone(&tz).naive_local(), ndt(2025, 3, 22, 21, 0));
    assert_eq!(on.at, milestone_at(&start, Span::Days(30)));
    let start_secs = start.instant().timestamp();
    assert_eq!(before.key, format!("{}:{start_secs}:d30:day_before", t.id));
    assert_eq!(on.key, format!("{}:{start_secs}:d30:on_the_day", t.id));
    assert_eq!(before.title, "Kindred");
    assert_eq!(before.body, "Something good is coming up tomorrow.");
}

#[test]
fn off_means_nothing() {
    let tz = chrono_tz::UTC;
    let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
    let t = tracker(start, Ladder::Default);
    let input = [PlanInput { tracker: &t, current_start: start }];
    let mut s = settings(tz, hm(9, 0), None);
    s.milestone_reminders = false;
    assert!(plan(&input, &s, start.instant(), Duration::days(400)).is_empty());
    s.milestone_reminders = true;
    assert!(!plan(&input, &s, start.instant(), Duration::days(400)).is_empty());
    assert!(plan(&input, &s, start.instant(), Duration::zero()).is_empty());
}

#[test]
fn quiet_hours_move_to_their_end_and_drop_a_late_day_before() {
    let tz = chrono_tz::Europe::London;
    // 24 hours lands at 07:30 on 2 January.
    let start = ZonedDateTime::new(ndt(2025, 1, 1, 7, 30), tz);
    let t = tracker(start, Ladder::Default);
    let input = [PlanInput { tracker: &t, current_start: start }];
    let s = settings(tz, hm(23, 0), Some((hm(22, 0), hm(8, 0))));
    let plan = plan(&input, &s, start.instant(), Duration::days(3));
    let h24: Vec<_> = plan.iter().filter(|r| r.milestone_key == "h24").collect();
    // The day before (1 Jan 23:00) would move to 2 Jan 08:00, after the milestone: dropped.
    assert_eq!(h24.len(), 1);
    assert_eq!(h24[0].kind, ReminderKind::OnTheDay);
    // On the day, 23:00 is quiet: it moves to 08:00 the next morning.
    assert_eq!(h24[0].at.with_timezone(&tz).naive_local(), ndt(2025, 1, 3, 8, 0));
    assert_eq!(h24[0].body, "A recent day is worth marking. Open Kindred when you have a moment.");

    // 24 hours lands at 07:00 on 2 January; reminders at 06:00 are quiet until 08:00.
    let early = settings(tz, hm(6, 0), Some((hm(22, 0), hm(8, 0))));
    let t2 = tracker(ZonedDateTime::new(ndt(2025, 1, 1, 7, 0), tz), Ladder::Default);
    let input = [PlanInput { tracker: &t2, current_start: t2.start }];
    let plan = super::plan(&input, &early, t2.start.instant(), Duration::days(3));
    let local: Vec<_> =
        plan.iter().map(|r| (r.kind, r.at.with_timezone(&tz).naive_local())).collect();
    assert_eq!(
        local,
        [
            (ReminderKind::DayBefore, ndt(2025, 1, 1, 8, 0)),
            (ReminderKind::OnTheDay, ndt(2025, 1, 2, 8, 0)),
        ]
    );
}

#[test]
fn welcome_is_skipped_and_text_names_things_when_not_discreet() {
    let tz = chrono_tz::UTC;
    let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
    let t = tracker(start, Ladder::NaKeyTags);
    let input = [PlanInput { tracker: &t, current_start: start }];
    let mut s = settings(tz, hm(9, 0), None);
    s.discreet = false;
    let now = start.instant() - Duration::hours(1);
    let plan = plan(&input, &s, now, Duration::days(40));
    let keys: Vec<_> = plan.iter().map(|r| r.milestone_key.as_str()).collect();
    assert_eq!(keys, ["d30", "d30"]);
    assert_eq!(plan[0].title, "Tomorrow: 30 days");
    assert_eq!(plan[0].body, "Alcohol — 30 days tomorrow. Something to look forward to.");
    assert_eq!(plan[1].title, "30 days");
    assert_eq!(plan[1].body, "Alcohol — 30 days today. Well done.");
    let id = t.id.to_string();
    assert!(plan.iter().all(|r| !r.title.contains(&id) && !r.body.contains(&id)));
}

#[test]
fn reached_today_still_gets_its_on_the_day_reminder() {
    let tz = chrono_tz::Asia::Kolkata;
    let start = ZonedDateTime::new(ndt(2025, 1, 1, 7, 0), tz);
    let t = tracker(start, Ladder::Default);
    let input = [PlanInput { tracker: &t, current_start: start }];
    let s = settings(tz, hm(10, 0), None);
    // 7 days reached at 07:00; at 08:00 the 10:00 reminder is still ahead.
    let now = ZonedDateTime::new(ndt(2025, 1, 8, 8, 0), tz).instant();
    let plan = plan(&input, &s, now, Duration::hours(6));
    assert_eq!(plan.len(), 1);
    assert_eq!((plan[0].milestone_key.as_str(), plan[0].kind), ("d7", ReminderKind::OnTheDay));
}

#[test]
fn every_text_variant_is_discreet() {
    for kind in [ReminderKind::DayBefore, ReminderKind::OnTheDay] {
        for days_ahead in -2..=2 {
            let (title, body) = text(kind, true, "Alcohol", "30 days", days_ahead);
            assert_eq!(blocked(&title), None, "{title}");
            assert_eq!(blocked(&body), None, "{body}");
        }
    }
    assert_eq!(blocked("Because it's useful"), Some("use"));
    assert_eq!(blocked("Sobriety"), Some("sobriety"));
    assert_eq!(blocked("Sober"), Some("sober"));
}

#[test]
fn duplicate_inputs_give_unique_keys() {
    let tz = chrono_tz::UTC;
    let start = ZonedDateTime::new(ndt(2025, 1, 1, 8, 0), tz);
    let t = tracker(start, Ladder::Default);
    let one = PlanInput { tracker: &t, current_start: start };
    let s = settings(tz, hm(9, 0), None);
    let a = plan(&[one], &s, start.instant(), Duration::days(100));
    let b = plan(&[one, one], &s, start.instant(), Duration::days(100));
    assert_eq!(a, b);
}

fn arb_ladder() -> impl Strategy<Value = Ladder> {
    prop_oneof![
        Just(Ladder::Default),
        Just(Ladder::AaChips),
        Just(Ladder::NaKeyTags),
        Just(Ladder::Custom(vec![Span::Hours(12), Span::Days(2), Span::Days(3), Span::Months(1)])),
    ]
}

fn arb_time() -> impl Strategy<Value = NaiveTime> {
    (0u32..24, prop_oneof![Just(0u32), 0u32..60]).prop_map(|(h, m)| hm(h, m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn planned_reminders_keep_the_rules(
        (y, day, minute) in (2000i32..2031, 0u32..366, 0u32..1440),
        (start_zone, zone) in (0..ZONES.len(), 0..ZONES.len()),
        ladder in arb_ladder(),
        reminder_time in arb_time(),
        quiet in proptest::option::of((arb_time(), arb_time())),
        discreet in any::<bool>(),
        now_offset in prop_oneof![-5i64 * 1440..200 * 1440, -5i64 * 1440..3 * 365 * 1440],
        horizon_minutes in 60i64..90 * 1440,
    ) {
        let local = NaiveDate::from_yo_opt(y, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
            + Duration::days(i64::from(day))
            + Duration::minutes(i64::from(minute));
        let start = ZonedDateTime::new(local, ZONES[start_zone]);
        let t = tracker(start, ladder.clone());
        let mut s = settings(ZONES[zone], reminder_time, quiet);
        s.discreet = discreet;
        let now = start.instant() + Duration::minutes(now_offset);
        let horizon = Duration::minutes(horizon_minutes);
        let input = [PlanInput { tracker: &t, current_start: start }];
        let plan = plan(&input, &s, now, horizon);

        let milestones = ladder.milestones(40);
        let instant_of = |key: &str| {
            let m = milestones.iter().find(|m| m.key == key).expect("known key");
            milestone_at(&start, m.span)
        };
        let mut keys = BTreeSet::new();
        for r in &plan {
            prop_assert!(now < r.at && r.at <= now + horizon);
            let local = r.at.with_timezone(&s.tz).naive_local();
            if let Some(q) = s.quiet_hours {
                prop_assert!(!q.contains(local.time()), "{:?} in quiet hours", local);
            }
            let m_at = instant_of(&r.milestone_key);
            match r.kind {
                ReminderKind::OnTheDay => prop_assert!(r.at >= m_at),
                ReminderKind::DayBefore => prop_assert!(r.at < m_at),
            }
            prop_assert!(r.milestone_key != "welcome");
            prop_assert!(keys.insert(r.key.clone()), "duplicate key {}", r.key);
            prop_assert!(!r.title.contains(&t.id.to_string()));
            prop_assert!(!r.body.contains(&t.id.to_string()));
            if discreet {
                prop_assert_eq!(blocked(&r.title), None);
                prop_assert_eq!(blocked(&r.body), None);
            }
        }
        prop_assert!(plan.windows(2).all(|w| (w[0].at, &w[0].key) < (w[1].at, &w[1].key)));

        // Nothing is missed: every milestone well inside the horizon has its on-the-day
        // reminder (quiet hours delay one by at most a day or so).
        let late = now + horizon - Duration::days(3);
        let (_, ahead) = milestones_for(&ladder, &start, now, 64);
        for m in ahead.iter().filter(|m| m.at <= late && m.milestone.span.approx_hours() > 0) {
            let found = plan
                .iter()
                .any(|r| r.milestone_key == m.milestone.key && r.kind == ReminderKind::OnTheDay);
            prop_assert!(found, "no reminder for {}", m.milestone.key);
        }
    }
}

#[test]
fn check_in_reminders_daily_outside_quiet_hours() {
    let tz = chrono_tz::Europe::Berlin;
    let mut s = Settings::defaults(tz);
    let now = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    assert!(check_in_plan(&s, now, Duration::days(3)).is_empty());
    s.checkin_time = Some(chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap());
    let plan = check_in_plan(&s, now, Duration::days(3));
    assert_eq!(plan.len(), 3);
    assert_eq!(plan[0].at, Utc.with_ymd_and_hms(2026, 6, 10, 18, 0, 0).unwrap());
    for r in &plan {
        let text = r.body.to_lowercase();
        assert!(BLOCKLIST.iter().all(|w| !text.contains(w)), "{text}");
    }
    // 23:00 falls in the default quiet hours (22:00-08:00): moved to 08:00 next morning.
    s.checkin_time = Some(chrono::NaiveTime::from_hms_opt(23, 0, 0).unwrap());
    let plan = check_in_plan(&s, now, Duration::days(1));
    assert_eq!(plan[0].at, Utc.with_ymd_and_hms(2026, 6, 11, 6, 0, 0).unwrap());
}
