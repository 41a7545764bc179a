//! Milestone ladders: the default ladder, AA-chip and NA-key-tag presets, and custom lists.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Most milestones a custom list may hold.
pub const CUSTOM_MAX: usize = 50;

/// A distance from the start of an attempt. Hours are elapsed time; days, months and years are
/// calendar steps that keep the local wall-clock time ("30 days" lands at the same local time 30
/// calendar days later, whatever DST did in between).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "unit", content = "n", rename_all = "snake_case")]
pub enum Span {
    Hours(u32),
    Days(u32),
    Months(u32),
    Years(u32),
}

impl Span {
    /// A stable key, e.g. `d30`, used to remember which milestones were celebrated.
    pub fn key(self) -> String {
        match self {
            Span::Hours(n) => format!("h{n}"),
            Span::Days(n) => format!("d{n}"),
            Span::Months(n) => format!("m{n}"),
            Span::Years(n) => format!("y{n}"),
        }
    }

    /// Plain English label: "24 hours", "30 days", "6 months", "1 year".
    pub fn label(self) -> String {
        let (n, one, many) = match self {
            Span::Hours(n) => (n, "hour", "hours"),
            Span::Days(n) => (n, "day", "days"),
            Span::Months(n) => (n, "month", "months"),
            Span::Years(n) => (n, "year", "years"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }

    /// Rough length in hours, for ordering and range checks only (never for dates).
    pub fn approx_hours(self) -> u64 {
        match self {
            Span::Hours(n) => u64::from(n),
            Span::Days(n) => u64::from(n) * 24,
            Span::Months(n) => u64::from(n) * 730,
            Span::Years(n) => u64::from(n) * 8766,
        }
    }
}

/// NA key-tag colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagColor {
    White,
    Orange,
    Green,
    Red,
    Blue,
    Yellow,
    Glow,
    Gray,
    Black,
}

impl TagColor {
    /// The colour's name as shown next to the tag.
    pub fn name(self) -> &'static str {
        match self {
            TagColor::White => "white",
            TagColor::Orange => "orange",
            TagColor::Green => "green",
            TagColor::Red => "red",
            TagColor::Blue => "blue",
            TagColor::Yellow => "yellow",
            TagColor::Glow => "glow-in-the-dark",
            TagColor::Gray => "gray",
            TagColor::Black => "black",
        }
    }
}

/// Which ladder a tracker uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "spans", rename_all = "snake_case")]
pub enum Ladder {
    /// 24 h, 7 d, 30/60/90 d, 6 mo, 9 mo, 1 y, 18 mo, then yearly.
    Default,
    /// 24 h, 30/60/90 d, 6 mo, 9 mo, then yearly.
    AaChips,
    /// Welcome tag, then 30/60/90 d, 6/9 mo, 1 y, 18 mo, then multiple years (black).
    NaKeyTags,
    /// The mentee's own list, sorted, finite.
    Custom(Vec<Span>),
}

/// One rung of a ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Stable key, e.g. `d30` (unique within a ladder).
    pub key: String,
    /// What the mentee reads: "30 days", "1 year".
    pub label: String,
    /// Distance from the start of the attempt.
    pub span: Span,
    /// The NA key-tag colour, when the ladder has tags.
    pub tag: Option<TagColor>,
}

impl Milestone {
    fn new(span: Span, tag: Option<TagColor>) -> Self {
        Self { key: span.key(), label: span.label(), span, tag }
    }
}

impl Ladder {
    /// Checks a ladder; custom lists are returned sorted by length.
    pub fn validated(self) -> Result<Ladder> {
        match self {
            Ladder::Custom(mut spans) => {
                if spans.is_empty() {
                    return Err(Error::EmptyLadder);
                }
                if spans.len() > CUSTOM_MAX {
                    return Err(Error::TooManyMilestones { max: CUSTOM_MAX });
                }
                for s in &spans {
                    let h = s.approx_hours();
                    if h == 0 || h > 100 * 8766 {
                        return Err(Error::MilestoneOutOfRange);
                    }
                }
                spans.sort_by_key(|s| (s.approx_hours(), *s));
                let before = spans.len();
                spans.dedup();
                if spans.len() != before {
                    return Err(Error::DuplicateMilestone);
                }
                Ok(Ladder::Custom(spans))
            }
            other => Ok(other),
        }
    }

    /// Short name of the ladder for settings screens.
    pub fn name(&self) -> &'static str {
        match self {
            Ladder::Default => "Standard",
            Ladder::AaChips => "AA chips",
            Ladder::NaKeyTags => "NA key tags",
            Ladder::Custom(_) => "My own list",
        }
    }

    /// The ladder's milestones in order, the yearly tail continuing up to and including
    /// `max_years` years. Custom ladders are finite and ignore `max_years`.
    pub fn milestones(&self, max_years: u32) -> Vec<Milestone> {
        use Span::*;
        use TagColor::*;
        let fixed: Vec<Milestone> = match self {
            Ladder::Default => [Hours(24), Days(7), Days(30), Days(60), Days(90), Months(6)]
                .into_iter()
                .chain([Months(9), Years(1), Months(18)])
                .map(|s| Milestone::new(s, None))
                .collect(),
            Ladder::AaChips => {
                [Hours(24), Days(30), Days(60), Days(90), Months(6), Months(9), Years(1)]
                    .into_iter()
                    .map(|s| Milestone::new(s, None))
                    .collect()
            }
            Ladder::NaKeyTags => {
                let mut welcome = Milestone::new(Hours(0), Some(White));
                welcome.key = "welcome".into();
                welcome.label = "Welcome".into();
                let mut v = vec![welcome];
                v.extend(
                    [
                        (Days(30), Orange),
                        (Days(60), Green),
                        (Days(90), Red),
                        (Months(6), Blue),
                        (Months(9), Yellow),
                        (Years(1), Glow),
                        (Months(18), Gray),
                    ]
                    .into_iter()
                    .map(|(s, c)| Milestone::new(s, Some(c))),
                );
                v
            }
            Ladder::Custom(spans) => {
                return spans.iter().map(|s| Milestone::new(*s, None)).collect();
            }
        };
        let tag = matches!(self, Ladder::NaKeyTags).then_some(Black);
        fixed.into_iter().chain((2..=max_years).map(|y| Milestone::new(Years(y), tag))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ladder_order() {
        let keys: Vec<_> = Ladder::Default.milestones(3).into_iter().map(|m| m.key).collect();
        assert_eq!(keys, ["h24", "d7", "d30", "d60", "d90", "m6", "m9", "y1", "m18", "y2", "y3"]);
    }

    #[test]
    fn na_tags_have_colours() {
        let m = Ladder::NaKeyTags.milestones(2);
        assert_eq!(m[0].key, "welcome");
        assert_eq!(m[1].tag, Some(TagColor::Orange));
        assert_eq!(m.last().unwrap().tag, Some(TagColor::Black));
    }

    #[test]
    fn custom_is_sorted_and_checked() {
        let l = Ladder::Custom(vec![Span::Days(10), Span::Hours(12)]).validated().unwrap();
        assert_eq!(l, Ladder::Custom(vec![Span::Hours(12), Span::Days(10)]));
        assert_eq!(Ladder::Custom(vec![]).validated(), Err(Error::EmptyLadder));
        assert_eq!(
            Ladder::Custom(vec![Span::Days(3), Span::Days(3)]).validated(),
            Err(Error::DuplicateMilestone)
        );
        assert_eq!(
            Ladder::Custom(vec![Span::Hours(0)]).validated(),
            Err(Error::MilestoneOutOfRange)
        );
    }
}
