//! App-wide state, provided once by the root component and read by pages and components: the
//! data version (bumped when stored data changes, so resources refetch), the toast slot, and
//! the sync status, the app lock. Pages take contexts from here, never from `app.rs`.

mod data;
mod lock;
mod sync;
mod toast;

pub use data::{data_resource, provide_data_version_context, use_data_version, DataVersion};
pub use data::{restore, Erased, IpcResource};
pub use lock::{note_locked, provide_lock_context, use_lock, LockCtx};
pub use sync::{provide_sync_context, use_sync};
pub use toast::{provide_toast_context, use_toast, Toast, Undo};
