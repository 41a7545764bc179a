//! The one way pages run an IPC mutation: on success the error note clears, the data version
//! is bumped (so every resource that reads stored data reloads) and the page's callback runs;
//! on failure the calm error note shows the shell's message.

use std::future::Future;
use std::pin::Pin;

use kindred_core::ipc::CommandError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ipc::IpcResult;
use crate::state::{use_data_version, DataVersion};

/// What runs once the outcome is known.
type Done = Box<dyn FnOnce()>;

/// A mutation's error note and (when asked for) its busy flag. `Copy`, so handlers capture it.
#[derive(Clone, Copy)]
pub struct Mutation {
    /// Shown by `<ErrorNote err=m.error/>`.
    pub error: RwSignal<Option<CommandError>>,
    busy: RwSignal<bool>,
    one_at_a_time: bool,
    version: Option<DataVersion>,
}

impl Mutation {
    /// A mutation of stored data: success bumps the data version.
    pub fn new() -> Self {
        Self::with_version(Some(use_data_version()))
    }

    /// A call that changes no stored data (opening a link, the surf timer, connecting):
    /// success leaves the data version alone.
    pub fn local() -> Self {
        Self::with_version(None)
    }

    fn with_version(version: Option<DataVersion>) -> Self {
        Self {
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            one_at_a_time: false,
            version,
        }
    }

    /// Ignores a run while the previous one is under way (a double tap saves once).
    pub fn one_at_a_time(self) -> Self {
        Self { one_at_a_time: true, ..self }
    }

    /// Whether a run is under way (for `prop:disabled`); only tracked with `one_at_a_time`.
    pub fn busy(self) -> bool {
        self.busy.get()
    }

    /// Whether a new run would be ignored.
    pub fn is_busy(self) -> bool {
        self.one_at_a_time && self.busy.get_untracked()
    }

    /// Shows an error found before calling the shell (a field that doesn't parse).
    pub fn fail(self, e: CommandError) {
        self.error.set(Some(e));
    }

    /// Runs `fut`; on success clears the error, bumps the data version, then calls `ok`.
    pub fn run<T: 'static>(
        self,
        fut: impl Future<Output = IpcResult<T>> + 'static,
        ok: impl FnOnce(T) + 'static,
    ) {
        self.run_or(fut, ok, || {});
    }

    /// Like [`Mutation::run`], and calls `err` after showing an error.
    pub fn run_or<T: 'static>(
        self,
        fut: impl Future<Output = IpcResult<T>> + 'static,
        ok: impl FnOnce(T) + 'static,
        err: impl FnOnce() + 'static,
    ) {
        // Only this adapter is generic; the rest is one function, which keeps the wasm small.
        let fut = async move { fut.await.map(|v| Box::new(move || ok(v)) as Done) };
        self.spawn(Box::pin(fut), Box::new(err));
    }

    fn spawn(self, fut: Pin<Box<dyn Future<Output = IpcResult<Done>>>>, err: Done) {
        if self.is_busy() {
            return;
        }
        if self.one_at_a_time {
            self.busy.set(true);
        }
        spawn_local(async move {
            match fut.await {
                Ok(ok) => {
                    self.error.set(None);
                    if let Some(version) = self.version {
                        version.bump();
                    }
                    ok();
                }
                Err(e) => {
                    self.error.set(Some(e));
                    err();
                }
            }
            if self.one_at_a_time {
                self.busy.set(false);
            }
        });
    }
}
