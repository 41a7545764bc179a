//! Insights on real SQLite files: the rollup-backed SQL
//! (`kindred_client::store::insights`) against the loop-based
//! `kindred_core::insights::reference`, on random cravings in every IANA zone with some deleted,
//! and on a small hand-made log with exact numbers.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use kindred_client::ids::{IdGen, SeqIds};
use kindred_client::store::outbox::WriteCtx;
use kindred_client::store::{cravings, insights};
use kindred_core::clock::ZonedDateTime;
use kindred_core::ids::CravingId;
use kindred_core::insights::{
    reference, CopingRank, CravingFacts, Insights, TriggerCount, WeekPoint,
};
use kindred_core::model::craving::{Craving, Details, Outcome, Trigger, DEFAULT_COPING};
use proptest::prelude::*;

/// One craving to log, and whether it is deleted afterwards.
#[derive(Debug, Clone)]
struct Case {
    craving: Craving,
    deleted: bool,
}

fn facts(c: &Craving) -> CravingFacts {
    CravingFacts {
        local: c.at.instant().with_timezone(&c.at.tz).naive_local(),
        intensity: c.intensity,
        triggers: c.details.triggers.clone(),
        coping: c.details.coping.clone(),
        outcome: c.details.outcome,
    }
}

/// Logs every case into a fresh store file and returns what the SQL computes.
fn store_insights(cases: &[Case], today: NaiveDate, weeks: usize) -> Insights {
    let dir = tempfile::tempdir().unwrap();
    let mut store = kindred_tests::open_store(&dir.path().join("kindred.db"));
    let ids = SeqIds::default();
    let ctx = WriteCtx { now_ms: 1_780_000_000_000, ids: &ids };
    store
        .write(|tx| {
            // Every other craving is logged bare (quick log) and given its details later, and
            // every third deleted one is deleted, restored and deleted again, so the rollups
            // see every kind of write.
            for (i, c) in cases.iter().enumerate() {
                if i % 2 == 0 {
                    cravings::insert(tx, &ctx, &c.craving)?;
                } else {
                    let bare = Craving { details: Details::default(), ..c.craving.clone() };
                    cravings::insert(tx, &ctx, &bare)?;
                    cravings::update_details(tx, &ctx, c.craving.id, &c.craving.details)?;
                }
            }
            for (i, c) in cases.iter().enumerate().filter(|(_, c)| c.deleted) {
                cravings::delete(tx, &ctx, c.craving.id)?;
                if i % 3 == 0 {
                    cravings::undelete(tx, ctx.now_ms, c.craving.id)?;
                    cravings::delete(tx, &ctx, c.craving.id)?;
                }
            }
            Ok(())
        })
        .unwrap();
    store.read(|tx| insights::insights(tx, today, weeks)).unwrap()
}

fn live_reference(cases: &[Case], today: NaiveDate, weeks: usize) -> Insights {
    let live: Vec<CravingFacts> =
        cases.iter().filter(|c| !c.deleted).map(|c| facts(&c.craving)).collect();
    reference(&live, today, weeks)
}

const ZONES: &[Tz] = &chrono_tz::TZ_VARIANTS;
/// 2024-06-01T00:00Z to 2026-06-01T00:00Z.
const FROM_MS: i64 = 1_717_200_000_000;
const SPAN_MS: i64 = 730 * 86_400_000;
/// Own words next to the default list: right-to-left, emoji, quotes, look-alikes.
const ODD_COPING: &[&str] = &[
    "שיחה עם חבר",
    "🌱 breathe",
    "called someone",
    "Called someone ",
    "it's \"fine\"; --",
    "ＣＡＬＬ",
];

/// Zone, offset from [`FROM_MS`], intensity, trigger bits, coping picks, outcome (3 = none),
/// deleted.
type Raw = (usize, i64, u8, u16, Vec<usize>, u8, bool);

fn arb_case() -> impl Strategy<Value = Raw> {
    (
        0..ZONES.len(),
        0..SPAN_MS,
        0u8..=10,
        0u16..(1 << Trigger::ALL.len()),
        prop::collection::vec(0..DEFAULT_COPING.len() + ODD_COPING.len(), 0..4),
        0u8..4,
        prop::bool::weighted(0.2),
    )
}

fn build(raw: Vec<Raw>) -> Vec<Case> {
    let ids = SeqIds::default();
    raw.into_iter()
        .map(|(zone, offset, intensity, trigger_bits, coping, outcome, deleted)| {
            let instant = DateTime::from_timestamp_millis(FROM_MS + offset).unwrap();
            let triggers = Trigger::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| trigger_bits & (1 << i) != 0)
                .map(|(_, t)| t)
                .collect();
            let coping = coping
                .into_iter()
                .map(|i| {
                    DEFAULT_COPING
                        .get(i)
                        .copied()
                        .unwrap_or_else(|| ODD_COPING[i - DEFAULT_COPING.len()])
                })
                .map(str::to_owned)
                .collect();
            let outcome = Outcome::ALL.get(usize::from(outcome)).copied();
            Case {
                craving: Craving {
                    id: CravingId(ids.next()),
                    at: ZonedDateTime::from_instant(instant, ZONES[zone]),
                    intensity,
                    details: Details { triggers, coping, outcome, ..Default::default() },
                    surf: None,
                },
                deleted,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sql_matches_reference(
        raw in prop::collection::vec(arb_case(), 0..60),
        today_offset in 0..SPAN_MS + 30 * 86_400_000,
        weeks in 1usize..=14,
    ) {
        let cases = build(raw);
        let today = DateTime::from_timestamp_millis(FROM_MS + today_offset).unwrap().date_naive();
        let got = store_insights(&cases, today, weeks);
        prop_assert_eq!(&got, &live_reference(&cases, today, weeks));
        prop_assert_eq!(got.weekly.len(), weeks);
        prop_assert_eq!(got.by_weekday.iter().sum::<u32>(), got.total);
    }
}

fn craving(
    ids: &SeqIds,
    tz: Tz,
    utc: (i32, u32, u32, u32, u32),
    intensity: u8,
    d: Details,
) -> Case {
    let (y, m, day, h, min) = utc;
    let instant = Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap();
    Case {
        craving: Craving {
            id: CravingId(ids.next()),
            at: ZonedDateTime::from_instant(instant, tz),
            intensity,
            details: d,
            surf: None,
        },
        deleted: false,
    }
}

#[test]
fn hand_made_log_has_exact_numbers() {
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Tokyo;
    let det = |triggers: Vec<Trigger>, coping: &[&str], outcome| Details {
        triggers,
        coping: coping.iter().map(|c| (*c).to_owned()).collect(),
        outcome,
        ..Default::default()
    };
    // Today is Wednesday 2026-01-07; three weeks: from Monday 2025-12-22 to Sunday 2026-01-11.
    let today = NaiveDate::from_ymd_opt(2026, 1, 7).unwrap();
    let ids = SeqIds::default();
    let mut cases = vec![
        // Mon 2026-01-05 18:30 New York (23:30Z).
        craving(
            &ids,
            New_York,
            (2026, 1, 5, 23, 30),
            8,
            det(vec![Trigger::Stress], &["Breathing"], Some(Outcome::RodeItOut)),
        ),
        // Tue 2026-01-06 18:10 New York.
        craving(
            &ids,
            New_York,
            (2026, 1, 6, 23, 10),
            5,
            det(
                vec![Trigger::Stress, Trigger::Tired],
                &["Breathing", "Called someone"],
                Some(Outcome::Used),
            ),
        ),
        // Thu 2026-01-01 08:00 Tokyo = Wed 2025-12-31 23:00Z: counted on Tokyo's Thursday.
        craving(
            &ids,
            Tokyo,
            (2025, 12, 31, 23, 0),
            3,
            det(vec![Trigger::Lonely], &["Called someone"], Some(Outcome::RodeItOut)),
        ),
        // Sun 2025-12-21 22:00 New York: the day before the window.
        craving(&ids, New_York, (2025, 12, 22, 3, 0), 10, det(vec![], &["🌱 breathe"], None)),
        // Mon 2025-12-22 00:15 Tokyo (Sun 15:15Z): first day of the window.
        craving(
            &ids,
            Tokyo,
            (2025, 12, 21, 15, 15),
            6,
            det(vec![Trigger::PhysicalPain], &[], Some(Outcome::NotSure)),
        ),
    ];
    // Deleted: counted nowhere.
    let mut gone = craving(
        &ids,
        New_York,
        (2026, 1, 6, 23, 40),
        9,
        det(vec![Trigger::Angry], &["Rested"], Some(Outcome::RodeItOut)),
    );
    gone.deleted = true;
    cases.push(gone);

    let got = store_insights(&cases, today, 3);
    let mut by_hour = [0; 24];
    by_hour[18] = 2;
    by_hour[8] = 1;
    by_hour[22] = 1;
    by_hour[0] = 1;
    let week = |m, d| NaiveDate::from_ymd_opt(if m == 12 { 2025 } else { 2026 }, m, d).unwrap();
    let expected = Insights {
        total: 5,
        by_hour,
        by_weekday: [2, 1, 0, 1, 0, 0, 1],
        top_triggers: vec![
            TriggerCount { trigger: Trigger::Stress, count: 2 },
            TriggerCount { trigger: Trigger::Lonely, count: 1 },
            TriggerCount { trigger: Trigger::Tired, count: 1 },
            TriggerCount { trigger: Trigger::PhysicalPain, count: 1 },
        ],
        weekly: vec![
            WeekPoint { week_start: week(12, 22), count: 1, mean_intensity_x10: Some(60) },
            WeekPoint { week_start: week(12, 29), count: 1, mean_intensity_x10: Some(30) },
            // (8 + 5) / 2 = 6.5
            WeekPoint { week_start: week(1, 5), count: 2, mean_intensity_x10: Some(65) },
        ],
        ridden_out: 2,
        with_outcome: 4,
        coping_menu: vec![
            // 1 of 2 ridden out each; name decides.
            CopingRank { coping: "Breathing".into(), used: 2, rode_out: 1 },
            CopingRank { coping: "Called someone".into(), used: 2, rode_out: 1 },
            CopingRank { coping: "🌱 breathe".into(), used: 1, rode_out: 0 },
        ],
    };
    assert_eq!(got, expected);
    assert_eq!(got, live_reference(&cases, today, 3));
    assert_eq!(
        kindred_core::insights::describe_ridden_out(&got),
        "You rode out 2 of the 4 cravings with an outcome noted."
    );
    // An empty store: every chart is empty, the weeks are still there.
    let empty = store_insights(&[], today, 12);
    assert_eq!(empty, reference(&[], today, 12));
    assert_eq!(empty.weekly.len(), 12);
}
