//! The data version: one counter bumped whenever stored data changes (a save, a delete, an
//! undo, a sync that brought rows in). Resources that read stored data track it, so the page on
//! screen reloads.

use std::future::Future;

use leptos::prelude::*;

use crate::ipc::IpcResult;

/// An IPC read held by a page: `None` while loading, then the command's result.
pub type IpcResource<T> = LocalResource<IpcResult<T>>;

/// Bumped whenever stored data changes, so pages refetch.
#[derive(Clone, Copy)]
pub struct DataVersion(RwSignal<u32>);

impl DataVersion {
    /// Subscribes the running effect or resource to data changes.
    pub fn track(self) {
        self.0.track();
    }

    /// Says that stored data changed.
    pub fn bump(self) {
        self.0.update(|v| *v += 1);
    }
}

/// Provides the data version; call once at the root.
pub fn provide_data_version_context() -> DataVersion {
    let version = DataVersion(RwSignal::new(0));
    provide_context(version);
    version
}

/// The data version.
pub fn use_data_version() -> DataVersion {
    expect_context::<DataVersion>()
}

/// A read of stored data that runs again whenever the data version is bumped.
pub fn data_resource<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> IpcResource<T>
where
    T: 'static,
    Fut: Future<Output = IpcResult<T>> + 'static,
{
    let version = use_data_version();
    LocalResource::new(move || {
        version.track();
        fetch()
    })
}
