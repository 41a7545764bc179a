//! One file per route.

pub mod check_in;
pub mod connect;
pub mod craving;
pub mod cravings;
pub mod help;
pub mod insights;
pub mod mentor;
pub mod more;
pub mod new_tracker;
pub mod plan;
pub mod recovery;
pub mod reset;
pub mod settings;
pub mod sharing;
pub mod today;
pub mod tracker;
