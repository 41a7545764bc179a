//! Domain aggregates, one file each: types plus their validation.

pub mod check_in;
pub mod contact;
pub mod craving;
pub mod help;
pub mod ladder;
pub mod plan;
pub mod settings;
pub mod text;
pub mod tracker;
