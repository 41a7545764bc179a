//! The IPC commands: one file per area, each command a few lines that hand a
//! `kindred_core::ipc` request to the `kindred-client` facade. Commands that change data call
//! `AppState::write`, which triggers a background sync after the commit.
//!
//! [`handler`] is generated from core's one command list (`kindred_core::with_commands!`): it
//! registers `<area>::<name>` for every command, and fails to compile when a listed function is
//! missing, or takes or answers other types than the list says ([`Implements`]).

pub mod cravings;
pub mod data;
pub mod lock;
pub mod mentor;
pub mod plan;
pub mod program;
pub mod settings;
pub mod sharing;
pub mod trackers;

use std::future::Future;

use kindred_core::ipc::{cmd, Command, CommandError};
use tauri::ipc::Invoke;
use tauri::{AppHandle, Runtime, State};

/// What a command function is, checked against its entry in the list: it takes the command's
/// `Req` as its last argument (after up to two of Tauri's [`Injected`] arguments) and answers
/// `Result<Resp, CommandError>`, directly or as a future. `Args` and `M` only tell the
/// implementations apart; the compiler infers them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not match the `{C}` entry of kindred_core's command list",
    label = "this command's request or response type differs from the list",
    note = "a command takes `req: <{C} as Command>::Req` last and answers \
            `CommandResult<<{C} as Command>::Resp>`"
)]
pub trait Implements<C: Command, R: Runtime, Args, M> {}

impl<C, R, F, O, M> Implements<C, R, (), M> for F
where
    C: Command,
    R: Runtime,
    F: Fn(C::Req) -> O,
    O: Answers<C::Resp, M>,
{
}

impl<C, R, F, A, O, M> Implements<C, R, (A,), M> for F
where
    C: Command,
    R: Runtime,
    F: Fn(A, C::Req) -> O,
    A: Injected<R>,
    O: Answers<C::Resp, M>,
{
}

impl<C, R, F, A, B, O, M> Implements<C, R, (A, B), M> for F
where
    C: Command,
    R: Runtime,
    F: Fn(A, B, C::Req) -> O,
    A: Injected<R>,
    B: Injected<R>,
    O: Answers<C::Resp, M>,
{
}

/// An argument Tauri supplies itself (not from the UI's request).
pub trait Injected<R: Runtime> {}
impl<R: Runtime> Injected<R> for AppHandle<R> {}
impl<R: Runtime, T: Send + Sync + 'static> Injected<R> for State<'_, T> {}

/// What a command answers: `Result<T, CommandError>` now ([`Now`]) or from a future ([`Later`]).
pub trait Answers<T, M> {}
/// Marks a synchronous command's answer.
pub enum Now {}
/// Marks an `async fn` command's answer.
pub enum Later {}
impl<T> Answers<T, Now> for Result<T, CommandError> {}
impl<T, F: Future<Output = Result<T, CommandError>>> Answers<T, Later> for F {}

/// Compiles only when `f` [`Implements`] `C`.
fn tied<C: Command, R: Runtime, Args, M, F: Implements<C, R, Args, M>>(f: F) -> F {
    f
}

macro_rules! handler {
    ($($area:ident { $($name:ident as $marker:ident: $req:ty => $resp:ty;)* })*) => {
        /// The invoke handler for every command in the list, each registered under its
        /// function's name (= the list's name).
        pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
            $($( let _ = tied::<cmd::$marker, R, _, _, _>($area::$name); )*)*
            tauri::generate_handler![$($($area::$name),*),*]
        }
    };
}

kindred_core::with_commands!(handler);
