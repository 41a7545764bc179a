//! The [`Kindred`](crate::Kindred) use cases, one file per area, each an `impl Kindred` block
//! mirroring a file of the shell's `commands/`: [`trackers`], [`settings`], [`cravings`],
//! [`contacts`] (the shell's `mentor.rs`), [`journal`] (check-ins, plan and goals: the shell's
//! `plan.rs`) and [`program`] (sync status and the program's help). Export and import (the
//! shell's `data.rs`) are in [`crate::export`].
//!
//! Every method reads the clock once, validates through `kindred_core`, and runs one store
//! transaction; none of them waits on the network.

pub mod contacts;
pub mod cravings;
pub mod journal;
pub mod program;
pub mod settings;
pub mod sharing;
pub mod trackers;
