//! Biometric unlock through the official plugin (`tauri-plugin-biometric`), where the platform
//! offers it (SECURITY.md LK-1, LK-4). Android, iOS and macOS get the plugin; desktop Linux and
//! Windows have none, so there [`offered`] is `None` and nothing else is reachable.
//!
//! - **Android**: [`enrol`] has the unlock token encrypted by the plugin's keystore key, which
//!   needs a passed `BiometricPrompt` (`CryptoObject`) to be used; [`verify`] decrypts it
//!   through a new prompt, and the store checks the token (`Kindred::biometric_passed`). A
//!   prompt that is faked or skipped yields no token.
//! - **iOS, macOS**: the plugin answers pass or fail (`LocalAuthentication`); the store keeps
//!   no copy and counts the OS answer.
//!
//! The prompt's words name the app only, never an entry. Compile-checked for Android here; no
//! phone runs it in the tests (noted in ARCHITECTURE.md).

use tauri::{AppHandle, Runtime};
use zeroize::Zeroizing;

/// What a prompt answered, when it did not unlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPassed(pub String);

#[cfg(any(target_os = "android", target_os = "ios", target_os = "macos"))]
mod imp {
    use tauri::{AppHandle, Runtime};
    use tauri_plugin_biometric::{AuthOptions, BiometricExt, BiometryType};
    use zeroize::Zeroizing;

    use super::NotPassed;

    const REASON: &str = "Unlock Kindred";

    fn options() -> AuthOptions {
        AuthOptions {
            allow_device_credential: false,
            cancel_title: Some("Use my PIN".into()),
            title: Some("Unlock Kindred".into()),
            ..Default::default()
        }
    }

    fn not_passed<E>(_: E) -> NotPassed {
        NotPassed("That didn't unlock Kindred. You can try again, or use your PIN.".into())
    }

    pub fn offered<R: Runtime>(app: &AppHandle<R>) -> Option<&'static str> {
        let s = app.biometric().status().ok()?;
        s.is_available.then_some(match s.biometry_type {
            BiometryType::FaceID => "your face",
            BiometryType::TouchID => "your fingerprint",
            BiometryType::None => "your fingerprint or face",
        })
    }

    #[cfg(target_os = "android")]
    pub fn enrol<R: Runtime>(app: &AppHandle<R>, token: &str) -> Result<Option<String>, NotPassed> {
        let options = AuthOptions { data_to_encrypt: Some(token.to_owned()), ..options() };
        let out = app.biometric().biometric_cipher(REASON.into(), options).map_err(not_passed)?;
        Ok(Some(out.data))
    }

    #[cfg(not(target_os = "android"))]
    pub fn enrol<R: Runtime>(
        app: &AppHandle<R>,
        _token: &str,
    ) -> Result<Option<String>, NotPassed> {
        app.biometric().authenticate(REASON.into(), options()).map_err(not_passed)?;
        Ok(None)
    }

    #[cfg(target_os = "android")]
    pub fn verify<R: Runtime>(
        app: &AppHandle<R>,
        wrapped: Option<String>,
    ) -> Result<Option<Zeroizing<String>>, NotPassed> {
        let Some(wrapped) = wrapped else { return Err(not_passed(())) };
        let options = AuthOptions { data_to_decrypt: Some(wrapped), ..options() };
        let out = app.biometric().biometric_cipher(REASON.into(), options).map_err(not_passed)?;
        Ok(Some(Zeroizing::new(out.data)))
    }

    #[cfg(not(target_os = "android"))]
    pub fn verify<R: Runtime>(
        app: &AppHandle<R>,
        _wrapped: Option<String>,
    ) -> Result<Option<Zeroizing<String>>, NotPassed> {
        app.biometric().authenticate(REASON.into(), options()).map_err(not_passed)?;
        Ok(None)
    }
}

#[cfg(not(any(target_os = "android", target_os = "ios", target_os = "macos")))]
mod imp {
    use tauri::{AppHandle, Runtime};
    use zeroize::Zeroizing;

    use super::NotPassed;

    fn none() -> NotPassed {
        NotPassed("This device doesn't offer a fingerprint or face unlock.".into())
    }

    pub fn offered<R: Runtime>(_: &AppHandle<R>) -> Option<&'static str> {
        None
    }

    pub fn enrol<R: Runtime>(_: &AppHandle<R>, _: &str) -> Result<Option<String>, NotPassed> {
        Err(none())
    }

    pub fn verify<R: Runtime>(
        _: &AppHandle<R>,
        _: Option<String>,
    ) -> Result<Option<Zeroizing<String>>, NotPassed> {
        Err(none())
    }
}

/// What the device offers instead of the PIN, in words for a button; `None` when nothing.
pub fn offered<R: Runtime>(app: &AppHandle<R>) -> Option<&'static str> {
    imp::offered(app)
}

/// Prompts once to turn biometric unlock on; answers the platform's encrypted copy of `token`
/// (Android) or `None` (a pass/fail platform).
pub fn enrol<R: Runtime>(app: &AppHandle<R>, token: &str) -> Result<Option<String>, NotPassed> {
    imp::enrol(app, token)
}

/// Prompts to unlock; answers the decrypted token (Android) or `None` (a pass/fail platform).
pub fn verify<R: Runtime>(
    app: &AppHandle<R>,
    wrapped: Option<String>,
) -> Result<Option<Zeroizing<String>>, NotPassed> {
    imp::verify(app, wrapped)
}

/// The plugin, for the platforms that have it.
pub fn plugin<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    #[cfg(any(target_os = "android", target_os = "ios", target_os = "macos"))]
    let builder = builder.plugin(tauri_plugin_biometric::init());
    builder
}
