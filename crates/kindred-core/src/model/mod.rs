//! Domain aggregates, one file each: types plus their validation.

pub mod craving;
pub mod ladder;
pub mod settings;
pub mod text;
pub mod tracker;
