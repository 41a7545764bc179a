//! Keeping the window's content out of the OS's screenshots (SECURITY.md LK-2).
//! - **Android**: the main window gets `FLAG_SECURE`, so the recents thumbnail and screenshots
//!   are blank and screen recording shows nothing.
//! - **iOS**: a privacy cover on resign-active. Tauri reports `applicationWillResignActive` as
//!   `WindowEvent::Suspended` ([`on_window_event`]); the web view is hidden at once (the app
//!   switcher's snapshot shows the plain window behind it) and shown again on `Resumed`.
//!   Written against the objc2 runtime the iOS build already has; nothing here can build or
//!   run iOS, so it is unverified (noted in ARCHITECTURE.md).
//! - **Desktop**: nothing; there is no app-switcher snapshot to hide.

use tauri::{Runtime, WebviewWindow};

/// `WindowManager.LayoutParams.FLAG_SECURE`.
#[cfg(target_os = "android")]
const FLAG_SECURE: i32 = 0x2000;

/// Marks `window` as secure on Android.
pub fn protect<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "android")]
    {
        let _ = window.with_webview(|webview| {
            webview.jni_handle().exec(|env, activity, _webview| {
                let flags = [
                    jni::objects::JValue::Int(FLAG_SECURE),
                    jni::objects::JValue::Int(FLAG_SECURE),
                ];
                if let Ok(w) = env
                    .call_method(activity, "getWindow", "()Landroid/view/Window;", &[])
                    .and_then(|v| v.l())
                {
                    let _ = env.call_method(&w, "setFlags", "(II)V", &flags);
                }
            });
        });
    }
    #[cfg(not(target_os = "android"))]
    let _ = window;
}

/// Covers the content while the app is not active (iOS; see the module doc).
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    #[cfg(target_os = "ios")]
    {
        use tauri::Manager;
        let hidden = match event {
            tauri::WindowEvent::Suspended => true,
            tauri::WindowEvent::Resumed => false,
            _ => return,
        };
        if let Some(webview) = window.get_webview_window(window.label()) {
            let _ = webview.with_webview(move |w| {
                let view = w.inner().cast::<objc2::runtime::AnyObject>();
                // SAFETY: `inner()` is the live WKWebView (a UIView); this closure runs on the
                // main thread, where UIKit calls must be made.
                if let Some(view) = unsafe { view.as_ref() } {
                    let _: () = unsafe { objc2::msg_send![view, setHidden: hidden] };
                }
            });
        }
    }
    #[cfg(not(target_os = "ios"))]
    let _ = (window, event);
}
