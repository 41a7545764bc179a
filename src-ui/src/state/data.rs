//! The data version: one counter bumped whenever stored data changes (a save, a delete, an
//! undo, a sync that brought rows in). Resources that read stored data track it, so the page on
//! screen reloads.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;

use crate::ipc::IpcResult;

/// What every IPC read resolves to before its answer type is restored.
pub type Erased = IpcResult<Rc<dyn Any>>;
type ErasedFetch = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Erased>>>>;

/// An IPC read held by a page: `None` while loading, then the command's result. Every read is
/// the same resource type underneath (the answer boxed as `dyn Any`, the fetch as a boxed
/// future), so Leptos's async machinery is compiled once rather than once per answer type and
/// call site (PERF.md P4); `T` is restored on the way out and cannot mismatch, because only
/// [`IpcResource::new`] puts values in.
pub struct IpcResource<T> {
    inner: LocalResource<Erased>,
    _answer: PhantomData<fn() -> T>,
}

impl<T> Clone for IpcResource<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for IpcResource<T> {}

/// The one `LocalResource` constructor behind every read.
fn erased_resource(fetch: ErasedFetch) -> LocalResource<Erased> {
    LocalResource::new(move || fetch())
}

impl<T: Clone + 'static> IpcResource<T> {
    /// Starts the read `fetch`; it runs again when a signal it tracks changes.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = IpcResult<T>> + 'static,
    {
        let fetch: ErasedFetch = Rc::new(move || {
            let fut = fetch();
            Box::pin(async move { fut.await.map(|v| Rc::new(v) as Rc<dyn Any>) })
        });
        Self { inner: erased_resource(fetch), _answer: PhantomData }
    }

    /// The latest answer (tracked), `None` until the first one.
    pub fn get(&self) -> Option<IpcResult<T>> {
        self.inner.get().map(|r| r.map(|v| restore::<T>(&v)))
    }

    /// The type-erased resource, for the loading block.
    pub fn erased(&self) -> LocalResource<Erased> {
        self.inner
    }
}

/// The answer inside an erased read. Only [`IpcResource::new`] stores values, always of its
/// own `T`, so the downcast holds by construction.
pub fn restore<T: Clone + 'static>(v: &Rc<dyn Any>) -> T {
    v.downcast_ref::<T>().cloned().expect("an IpcResource holds its own answer type")
}

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
    T: Clone + 'static,
    Fut: Future<Output = IpcResult<T>> + 'static,
{
    let version = use_data_version();
    IpcResource::new(move || {
        version.track();
        fetch()
    })
}
