//! Shared widgets: error notes, the undo toast, the sober-time figure, the celebration overlay, the
//! program section and sync notice.

pub mod celebration;
pub mod chart;
pub mod common;
pub mod data;
pub mod program;
pub mod quick_log;
pub mod surf;
