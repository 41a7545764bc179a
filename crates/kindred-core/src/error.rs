//! The domain error type: every validation failure has its own variant and a plain message.

use thiserror::Error;

/// A domain error. Messages are shown to the mentee, so they are calm, plain and specific, and
/// never echo the rejected content back (it may be health data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("Please give this a name.")]
    EmptyName,
    #[error("That name is too long: please keep it under {max} characters.")]
    NameTooLong { max: usize },
    #[error("The {field} is too long: please keep it under {max} characters.")]
    TextTooLong { field: &'static str, max: usize },
    #[error("The {field} contains characters that can't be saved.")]
    InvalidText { field: &'static str },
    #[error("The start can't be in the future.")]
    StartInFuture,
    #[error("The start is too long ago to be right; please check the year.")]
    StartTooEarly,
    #[error("That date and time isn't valid: {0}.")]
    InvalidDateTime(String),
    #[error("That time zone isn't known: {0}.")]
    UnknownTimeZone(String),
    #[error("The date of the lapse can't be before this attempt started.")]
    ResetBeforeStart,
    #[error("The date of the lapse can't be in the future.")]
    ResetInFuture,
    #[error("The new start can't be before the lapse.")]
    NewStartBeforeLapse,
    #[error("A custom list needs at least one milestone.")]
    EmptyLadder,
    #[error("A milestone must be at least one hour and at most 100 years.")]
    MilestoneOutOfRange,
    #[error("That milestone appears twice in the list.")]
    DuplicateMilestone,
    #[error("A custom list can hold at most {max} milestones.")]
    TooManyMilestones { max: usize },
    #[error("That time of day isn't valid.")]
    InvalidTimeOfDay,
    #[error("That isn't a valid id.")]
    InvalidId,
    #[error("That phone number doesn't look right. Use digits, with + and the country code if it isn't a US number.")]
    InvalidPhone,
    #[error("That e-mail address doesn't look right.")]
    InvalidEmail,
    #[error("Please pick at least one day for the hours.")]
    InvalidHours,
    #[error("Mood goes from 1 to 5.")]
    MoodOutOfRange,
    #[error("Please write something first.")]
    EmptyText,
    #[error("Intensity goes from 0 to 10.")]
    IntensityOutOfRange,
    #[error("The {field} list can hold at most {max} entries.")]
    TooManyItems { field: &'static str, max: usize },
    #[error("Pick at least one thing to share.")]
    NothingToShare,
    #[error("That mentor isn't linked to you any more. Your program links mentors to you.")]
    MentorNotLinked,
    #[error("The end date has to be after today.")]
    ExpiryInPast,
    #[error("That sharing has already ended.")]
    GrantEnded,
}

/// Result alias for domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
