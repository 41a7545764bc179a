//! Widgets: `common/` (used by several pages: error note, loading block, private inputs,
//! mutation helper, delete-then-undo with its toast, sober-time text) and one file per feature
//! widget (celebration overlay, SVG chart, "Your data", "Your program" and the sync notice,
//! quick log, urge surfing, the app lock, the bottom navigation).

pub mod celebration;
pub mod chart;
pub mod common;
pub mod data;
pub mod devices;
pub mod lock;
pub mod nav;
pub mod program;
pub mod quick_log;
pub mod surf;
