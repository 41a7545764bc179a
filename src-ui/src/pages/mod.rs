//! One file per route.

pub mod new_tracker;
pub mod reset;
pub mod settings;
pub mod today;
pub mod tracker;
