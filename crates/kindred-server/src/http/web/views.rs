//! The mentor pages' templates (askama, HTML-escaped by default) and the plain sentences
//! they show: every date in the mentee's own zone, every signal in calm words.

use askama::Template;
use chrono::NaiveDate;
use chrono_tz::Tz;
use kindred_core::consent::Category;
use kindred_core::model::contact::{sms_url, tel_url};
use kindred_core::model::tracker::Halt;

use crate::service::signals::{Signal, TrackerView, Upcoming};
use crate::service::{Caseload, MenteePage};

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignIn {
    pub title: &'static str,
    pub signed_in: Option<String>,
    pub csrf: String,
    pub login: String,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "setup.html")]
pub struct Setup {
    pub title: &'static str,
    pub signed_in: Option<String>,
    pub csrf: String,
    pub token: String,
    pub login: String,
    pub secret: String,
    pub qr: String,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub signed_in: Option<String>,
    pub message: String,
}

pub struct Card {
    pub handle: String,
    pub label: String,
    pub nothing_shared: bool,
    pub signals: Vec<String>,
    pub shared: String,
    pub tel: Option<String>,
    pub sms: Option<String>,
}

#[derive(Template)]
#[template(path = "caseload.html")]
pub struct CaseloadPage {
    pub title: &'static str,
    pub signed_in: Option<String>,
    pub csrf: String,
    pub mentor: String,
    pub cards: Vec<Card>,
}

pub struct NextView {
    pub key: String,
    pub label: String,
    pub date: String,
    pub when: String,
}

pub struct TrackerCard {
    pub id: String,
    pub label: String,
    pub sober: String,
    pub since: String,
    pub next: Option<NextView>,
}

pub struct GoalLine {
    pub id: String,
    pub text: String,
    pub status: String,
}

pub struct Line {
    pub day: String,
    pub text: String,
}

pub struct Week {
    pub from: String,
    pub text: String,
}

pub struct CravingLine {
    pub when: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "mentee.html")]
pub struct MenteeView {
    pub title: &'static str,
    pub signed_in: Option<String>,
    pub csrf: String,
    pub handle: String,
    pub label: String,
    pub flash: Option<String>,
    pub message: Option<String>,
    pub tel: Option<String>,
    pub sms: Option<String>,
    pub shared: Vec<String>,
    pub purposes: String,
    pub trackers: Option<Vec<TrackerCard>>,
    pub check_ins: Option<Vec<Line>>,
    pub weeks: Option<Vec<Week>>,
    pub cravings: Option<Vec<CravingLine>>,
    pub goals: Option<Vec<GoalLine>>,
    pub plan: Vec<String>,
    pub outreach: Vec<String>,
}

fn date(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn in_days(n: i64) -> String {
    match n {
        i64::MIN..=0 => "today".into(),
        1 => "tomorrow".into(),
        n => format!("in {n} days"),
    }
}

fn upcoming(u: &Upcoming) -> String {
    format!("{}: {} on {} ({})", u.tracker, u.label, date(u.date), in_days(u.in_days))
}

/// A caseload signal in plain words.
pub fn signal(s: &Signal) -> String {
    match s {
        Signal::MilestoneSoon(u) => format!("Milestone coming up. {}", upcoming(u)),
        Signal::MissedCheckIns { missed } => {
            format!("No check-in on {} of the last 7.", plural(*missed, "day", "days"))
        }
        Signal::IntensityRising { recent_x10, before_x10 } => format!(
            "Cravings feel stronger lately: {:.1} out of 10 on average over two weeks, {:.1} before.",
            *recent_x10 as f64 / 10.0,
            *before_x10 as f64 / 10.0
        ),
        Signal::Quiet { days } => {
            format!("Nothing logged for {} (the phone has synced).", plural(*days, "day", "days"))
        }
        Signal::NotSynced { days } => format!(
            "The phone hasn't synced for {}. It may just be offline.",
            plural(*days, "day", "days")
        ),
    }
}

fn shared_titles(c: &std::collections::BTreeSet<Category>) -> Vec<String> {
    c.iter().map(|c| c.title().to_owned()).collect()
}

/// The caseload page.
pub fn caseload(c: &Caseload, handles: Vec<String>, csrf: String) -> CaseloadPage {
    let cards = c
        .rows
        .iter()
        .zip(handles)
        .map(|(r, handle)| Card {
            handle,
            label: r.label.clone(),
            nothing_shared: r.shared.is_empty(),
            signals: r.signals.iter().map(signal).collect(),
            shared: shared_titles(&r.shared).join(", "),
            tel: r.phone.as_deref().map(tel_url),
            sms: r.phone.as_deref().map(sms_url),
        })
        .collect();
    CaseloadPage {
        title: "Your caseload",
        signed_in: Some(csrf.clone()),
        csrf,
        mentor: c.mentor_name.clone(),
        cards,
    }
}

fn tracker(t: &TrackerView) -> TrackerCard {
    TrackerCard {
        id: t.id.clone(),
        label: t.label.clone(),
        sober: plural(t.days, "day", "days"),
        since: date(t.since),
        next: t.next.as_ref().map(|n| NextView {
            key: n.key.clone(),
            label: n.label.clone(),
            date: date(n.date),
            when: in_days(n.in_days),
        }),
    }
}

fn mood(n: i64) -> &'static str {
    match n {
        1 => "mood very low",
        2 => "mood low",
        3 => "mood okay",
        4 => "mood good",
        _ => "mood very good",
    }
}

fn halt(keys: &[String]) -> String {
    let words: Vec<&str> = keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Halt>(serde_json::Value::String(k.clone())).ok())
        .map(Halt::label)
        .collect();
    if words.is_empty() {
        String::new()
    } else {
        format!(" · felt {}", words.join(", ").to_lowercase())
    }
}

fn outcome(o: Option<&str>) -> &'static str {
    match o {
        Some("rode_it_out") => " · rode it out",
        Some("used") => " · used",
        Some("not_sure") => " · not sure how it went",
        _ => "",
    }
}

fn outreach_line(o: &crate::service::Outreach, tz: Tz) -> String {
    let when = chrono::DateTime::from_timestamp_millis(o.at)
        .map(|t| t.with_timezone(&tz).format("%a %-d %b, %H:%M").to_string())
        .unwrap_or_default();
    let how = match o.channel.as_str() {
        "call" => "Call",
        "text" => "Text",
        "in_person" => "In person",
        _ => "Other",
    };
    let result = match o.outcome.as_str() {
        "reached" => "reached them",
        "left_message" => "left a message",
        _ => "no answer",
    };
    format!("{when} · {how}: {result}")
}

/// The mentee page.
pub fn mentee(
    p: &MenteePage,
    handle: String,
    csrf: String,
    flash: Option<String>,
    message: Option<String>,
) -> MenteeView {
    let tz = p.tz;
    let (goals, plan) = match (&p.goals, &p.plan) {
        (Some(g), Some(pl)) => (
            Some(
                g.iter()
                    .map(|g| GoalLine {
                        id: g.id.clone(),
                        text: g.text.clone(),
                        status: g.kind.clone(),
                    })
                    .collect(),
            ),
            pl.iter().map(|i| format!("{}: {}", i.kind.replace('_', " "), i.text)).collect(),
        ),
        _ => (None, Vec::new()),
    };
    MenteeView {
        title: "A mentee",
        signed_in: Some(csrf.clone()),
        csrf,
        handle,
        label: p.label.clone(),
        flash,
        message,
        tel: p.phone.as_deref().map(tel_url),
        sms: p.phone.as_deref().map(sms_url),
        shared: shared_titles(&p.shared),
        purposes: p.purposes.join("; "),
        trackers: p.trackers.as_ref().map(|ts| ts.iter().map(tracker).collect()),
        check_ins: p.check_ins.as_ref().map(|cs| {
            cs.iter()
                .map(|c| Line {
                    day: date(c.day),
                    text: format!(
                        "{}{}{}{}",
                        mood(c.mood),
                        if c.craving { " · had a craving" } else { "" },
                        halt(&c.halt),
                        c.line.as_deref().map(|l| format!(" · “{l}”")).unwrap_or_default()
                    ),
                })
                .collect()
        }),
        weeks: p.weeks.as_ref().map(|ws| {
            ws.iter()
                .map(|w| Week {
                    from: date(w.from),
                    text: match w.avg_x10 {
                        None => "no cravings logged".into(),
                        Some(a) => format!(
                            "{}, {:.1} out of 10 on average",
                            plural(w.count as i64, "craving", "cravings"),
                            a as f64 / 10.0
                        ),
                    },
                })
                .collect()
        }),
        cravings: p.cravings.as_ref().map(|cs| {
            cs.iter()
                .map(|c| CravingLine {
                    when: c.at.with_timezone(&tz).format("%a %-d %b, %H:%M").to_string(),
                    text: format!(
                        "{} out of 10{}{}{}{}{}",
                        c.intensity,
                        if c.triggers.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", c.triggers.join(", "))
                        },
                        c.place.as_deref().map(|p| format!(" · at {p}")).unwrap_or_default(),
                        c.with_whom.as_deref().map(|w| format!(" · with {w}")).unwrap_or_default(),
                        if c.coping.is_empty() {
                            String::new()
                        } else {
                            format!(" · helped: {}", c.coping.join(", "))
                        },
                        outcome(c.outcome.as_deref()),
                    ),
                })
                .collect()
        }),
        goals,
        plan,
        outreach: p.outreach.iter().map(|o| outreach_line(o, tz)).collect(),
    }
}
