//! Keeping the window's content out of the OS's screenshots (SECURITY.md LK-2). On Android the
//! main window gets `FLAG_SECURE`, so the recents thumbnail and screenshots are blank and
//! screen recording shows nothing. Elsewhere this does nothing: desktop has no app switcher
//! snapshot to hide, and the iOS privacy cover on resign-active needs Swift in the Xcode
//! project this repository doesn't generate yet (noted in ARCHITECTURE.md).

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
