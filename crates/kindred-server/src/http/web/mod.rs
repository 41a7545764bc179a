//! The mentor's web pages (MENTOR.md): server-rendered, no JavaScript, usable on a phone.
//!
//! Every answer carries a strict CSP (`default-src 'self'; script-src 'self'; …`, no inline
//! anything), `nosniff`, referrers only to this site (so forms carry their `Origin`), no caching and no framing. Sessions ([`session`]) are
//! HttpOnly, Secure, SameSite=Lax cookies scoped to `/mentor`, idle-expired after 30 minutes
//! and never older than `SESSION_MAX_MS`; the id changes at sign-in. CSRF: every unsafe
//! request must come from this site (`Sec-Fetch-Site` and `Origin`, when sent) and carry
//! the session's token in its form. Mentees appear by pseudonym and an opaque per-mentor
//! handle, never by id; a handle that is not one of yours is "not found". Forms are small
//! (8 KiB) and checked by the service like every other input.

mod pages;
mod session;
mod views;

use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use super::AppState;
use crate::{Error, Service};

/// The pages' Content-Security-Policy (MENTOR.md "Web stack").
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The largest form a page takes.
const FORM_LIMIT: usize = 8 * 1024;

const CSS: &str = include_str!("../../../assets/mentor.css");

/// The mentor routes, with their session layer and headers.
pub(super) fn routes(svc: Arc<Service>) -> Router<Arc<AppState>> {
    let sessions = SessionManagerLayer::new(session::DbStore(svc))
        .with_name("kindred_mentor")
        .with_path("/mentor")
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(30)));
    Router::new()
        .route("/mentor", get(pages::caseload))
        .route("/mentor/sign-in", get(pages::sign_in_form).post(pages::sign_in))
        .route("/mentor/setup", get(pages::setup_form).post(pages::setup))
        .route("/mentor/sign-out", axum::routing::post(pages::sign_out))
        .route("/mentor/sign-out-everywhere", axum::routing::post(pages::sign_out_everywhere))
        .route("/mentor/m/{handle}", get(pages::mentee))
        .route("/mentor/m/{handle}/message", axum::routing::post(pages::message))
        .route("/mentor/m/{handle}/outreach", axum::routing::post(pages::outreach))
        .route("/mentor/m/{handle}/goal", axum::routing::post(pages::goal))
        .route("/mentor/static/mentor.css", get(css))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(middleware::from_fn(guard))
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// Headers on every answer; unsafe methods only from this site.
async fn guard(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD);
    if unsafe_method && !same_site(&req) {
        tracing::warn!(event = "csrf_failed", "cross-site form refused");
        return with_headers(error_page(
            StatusCode::FORBIDDEN,
            "This form was sent from somewhere else, so it was not used.",
            None,
        ));
    }
    with_headers(next.run(req).await)
}

/// Whether a request comes from this site: `Sec-Fetch-Site` is `same-origin` or `none` when
/// sent, and `Origin`, when sent, names this host.
fn same_site(req: &Request) -> bool {
    let h = req.headers();
    let fetch_ok =
        h.get("sec-fetch-site").is_none_or(|v| matches!(v.as_bytes(), b"same-origin" | b"none"));
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_ok = h.get(header::ORIGIN).is_none_or(|o| {
        let o = o.to_str().unwrap_or("");
        !host.is_empty() && (o == format!("https://{host}") || o == format!("http://{host}"))
    });
    fetch_ok && origin_ok
}

fn with_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (k, v) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    res
}

/// Renders a template, or a plain failure page.
fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, Html("Something went wrong.".to_owned()))
            .into_response(),
    }
}

/// A calm error page.
fn error_page(status: StatusCode, message: &str, csrf: Option<String>) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
        StatusCode::FORBIDDEN => "Not allowed",
        s if s.is_client_error() => "That didn't work",
        _ => "Something went wrong",
    };
    render(status, &views::ErrorPage { title, signed_in: csrf, message: message.to_owned() })
}

/// What a page answers when the service refuses: the status and a plain sentence (never
/// which rule, never an id).
fn refusal(e: &Error, csrf: Option<String>) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match e {
        Error::NotFound(_) => "There's nothing here, or it isn't one of yours.".to_owned(),
        Error::Forbidden(..) => "They haven't shared this with you.".to_owned(),
        Error::BadRequest(_, m) => m.clone(),
        Error::TooMany { .. } => e.to_string(),
        Error::Unauthorized(..) => "Please sign in again.".to_owned(),
        _ => "The server could not do this right now. Please try again.".to_owned(),
    };
    error_page(status, &message, csrf)
}

/// The session's CSRF token (made on first use).
async fn csrf(s: &Session) -> String {
    if let Ok(Some(t)) = s.get::<String>("csrf").await {
        return t;
    }
    let t = hex::encode(crate::secrets::random::<32>());
    let _ = s.insert("csrf", &t).await;
    t
}

/// Whether `sent` is this session's token.
async fn csrf_ok(s: &Session, sent: &str) -> bool {
    use subtle::ConstantTimeEq;
    match s.get::<String>("csrf").await {
        Ok(Some(t)) => bool::from(t.as_bytes().ct_eq(sent.as_bytes())),
        _ => false,
    }
}
