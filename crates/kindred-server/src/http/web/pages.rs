//! The mentor pages' handlers: sign-in (name, password, code), the one-time set-up link
//! (shown by GET, claimed by POST), sign-out here and everywhere, the caseload, a mentee's
//! page, and its forms (a milestone message, a goal agreed together or its status, an
//! outreach entry). Each checks the
//! session, then the CSRF token, then asks the service, which authorizes.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tower_sessions::Session;

use super::{csrf, csrf_ok, error_page, refusal, render, views};
use crate::http::{client_ip, AppState};
use crate::{Error, Result};

/// Runs service work on a blocking thread.
async fn work<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|_| Error::Db("worker stopped".into()))?
}

/// The signed-in mentor of this session, when the sign-in still holds.
async fn mentor(st: &Arc<AppState>, s: &Session) -> Option<String> {
    let m = s.get::<String>("mentor").await.ok().flatten()?;
    let at = s.get::<i64>("at").await.ok().flatten()?;
    let svc = st.svc.clone();
    let who = m.clone();
    match work(move || svc.session_ok(&who, at)).await {
        Ok(true) => Some(m),
        _ => {
            let _ = s.flush().await;
            None
        }
    }
}

fn to_sign_in() -> Response {
    Redirect::to("/mentor/sign-in").into_response()
}

fn bad_form(r: &FormRejection) -> Response {
    let (status, message) = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        (StatusCode::PAYLOAD_TOO_LARGE, "That was too long to take.")
    } else {
        (StatusCode::BAD_REQUEST, "That form was not complete.")
    };
    error_page(status, message, None)
}

fn csrf_refused() -> Response {
    tracing::warn!(event = "csrf_failed", "form without its token");
    error_page(
        StatusCode::FORBIDDEN,
        "This form had expired. Please go back, reload and try again.",
        None,
    )
}

async fn signed_in_as(s: &Session, mentor: &str, at: i64) -> bool {
    // A new id at sign-in (no fixation), then who and when.
    s.cycle_id().await.is_ok()
        && s.insert("mentor", mentor).await.is_ok()
        && s.insert("at", at).await.is_ok()
}

pub(super) async fn sign_in_form(s: Session) -> Response {
    let csrf = csrf(&s).await;
    render(
        StatusCode::OK,
        &views::SignIn {
            title: "Sign in",
            signed_in: None,
            csrf,
            login: String::new(),
            message: None,
        },
    )
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    csrf: String,
    login: String,
    password: String,
    code: String,
}

pub(super) async fn sign_in(
    State(st): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    s: Session,
    form: std::result::Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Form(f) = match form {
        Ok(f) => f,
        Err(r) => return bad_form(&r),
    };
    if !csrf_ok(&s, &f.csrf).await {
        return csrf_refused();
    }
    let ip = client_ip(peer.ip(), &headers, &st.network.trusted_proxies).to_string();
    let svc = st.svc.clone();
    let (login, password, code) = (f.login.clone(), f.password, f.code);
    match work(move || svc.sign_in(&login, &password, &code, &ip)).await {
        Ok(ok) if signed_in_as(&s, &ok.mentor_id, ok.at).await => {
            Redirect::to("/mentor").into_response()
        }
        Ok(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, "Please try again.", None),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let message = match e {
                Error::TooMany { .. } => e.to_string(),
                _ => "That name, password and code did not match. Please try again.".to_owned(),
            };
            let csrf = csrf(&s).await;
            let login: String = f.login.chars().take(40).collect();
            render(
                status,
                &views::SignIn {
                    title: "Sign in",
                    signed_in: None,
                    csrf,
                    login,
                    message: Some(message),
                },
            )
        }
    }
}

#[derive(Deserialize)]
pub(super) struct SetupQuery {
    t: String,
}

fn qr(uri: &str) -> String {
    qrcode::QrCode::new(uri.as_bytes())
        .map(|c| c.render::<qrcode::render::svg::Color<'_>>().min_dimensions(192, 192).build())
        .unwrap_or_default()
}

async fn setup_page(
    st: &Arc<AppState>,
    s: &Session,
    token: String,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let svc = st.svc.clone();
    let t = token.clone();
    match work(move || svc.setup_info(&t)).await {
        Ok(info) => {
            let csrf = csrf(s).await;
            let qr = qr(&info.uri);
            render(status, &views::Setup { title: "Set up", signed_in: None, csrf, token, login: info.login, secret: info.secret, qr, message })
        }
        Err(_) => error_page(
            StatusCode::NOT_FOUND,
            "This set-up link has been used or has expired. Ask your program's staff for a new one.",
            None,
        ),
    }
}

pub(super) async fn setup_form(
    State(st): State<Arc<AppState>>,
    s: Session,
    q: std::result::Result<Query<SetupQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) if q.t.len() <= 80 => setup_page(&st, &s, q.t, None, StatusCode::OK).await,
        _ => error_page(StatusCode::NOT_FOUND, "This set-up link is not complete.", None),
    }
}

#[derive(Deserialize)]
pub(super) struct SetupForm {
    csrf: String,
    token: String,
    password: String,
    again: String,
    code: String,
}

pub(super) async fn setup(
    State(st): State<Arc<AppState>>,
    s: Session,
    form: std::result::Result<Form<SetupForm>, FormRejection>,
) -> Response {
    let Form(f) = match form {
        Ok(f) => f,
        Err(r) => return bad_form(&r),
    };
    if !csrf_ok(&s, &f.csrf).await {
        return csrf_refused();
    }
    if f.password != f.again {
        let m = "The two passwords were not the same.".to_owned();
        return setup_page(&st, &s, f.token, Some(m), StatusCode::BAD_REQUEST).await;
    }
    let svc = st.svc.clone();
    let (token, password, code) = (f.token.clone(), f.password, f.code);
    match work(move || svc.claim_setup(&token, &password, &code)).await {
        Ok(mentor) => {
            let at = st.svc.now_ms();
            if signed_in_as(&s, &mentor, at).await {
                Redirect::to("/mentor").into_response()
            } else {
                to_sign_in()
            }
        }
        Err(Error::BadRequest(_, m)) => {
            setup_page(&st, &s, f.token, Some(m), StatusCode::BAD_REQUEST).await
        }
        Err(e) => refusal(&e, None),
    }
}

#[derive(Deserialize)]
pub(super) struct TokenOnly {
    csrf: String,
}

pub(super) async fn sign_out(
    s: Session,
    form: std::result::Result<Form<TokenOnly>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else { return to_sign_in() };
    if csrf_ok(&s, &f.csrf).await {
        let _ = s.flush().await;
    }
    to_sign_in()
}

pub(super) async fn sign_out_everywhere(
    State(st): State<Arc<AppState>>,
    s: Session,
    form: std::result::Result<Form<TokenOnly>, FormRejection>,
) -> Response {
    let Some(m) = mentor(&st, &s).await else { return to_sign_in() };
    let Ok(Form(f)) = form else { return to_sign_in() };
    if !csrf_ok(&s, &f.csrf).await {
        return csrf_refused();
    }
    let svc = st.svc.clone();
    if let Err(e) = work(move || svc.sign_out_everywhere(&m)).await {
        return refusal(&e, None);
    }
    let _ = s.flush().await;
    to_sign_in()
}

pub(super) async fn caseload(State(st): State<Arc<AppState>>, s: Session) -> Response {
    let Some(m) = mentor(&st, &s).await else { return to_sign_in() };
    let csrf = csrf(&s).await;
    let svc = st.svc.clone();
    match work(move || {
        let c = svc.caseload(&m)?;
        let handles = c.rows.iter().map(|r| svc.mentee_handle(&m, &r.mentee_id)).collect();
        Ok((c, handles))
    })
    .await
    {
        Ok((c, handles)) => render(StatusCode::OK, &views::caseload(&c, handles, csrf)),
        Err(e) => refusal(&e, Some(csrf)),
    }
}

#[derive(Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

async fn mentee_view(
    st: &Arc<AppState>,
    m: String,
    handle: String,
    csrf: String,
    flash: Option<String>,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let svc = st.svc.clone();
    let h = handle.clone();
    let page = work(move || {
        let mentee = svc.resolve_handle(&m, &h)?.ok_or(Error::NotFound("mentee"))?;
        svc.mentee_page(&m, &mentee)
    })
    .await;
    match page {
        Ok(p) => render(status, &views::mentee(&p, handle, csrf, flash, message)),
        Err(e) => refusal(&e, Some(csrf)),
    }
}

pub(super) async fn mentee(
    State(st): State<Arc<AppState>>,
    s: Session,
    Path(handle): Path<String>,
    q: std::result::Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(m) = mentor(&st, &s).await else { return to_sign_in() };
    let csrf = csrf(&s).await;
    let flash = match q.ok().and_then(|Query(d)| d.done).as_deref() {
        Some("message") => Some("Your message is saved. They'll see it on the day.".to_owned()),
        Some("outreach") => Some("Logged.".to_owned()),
        Some("goal") => Some("Saved. Their phone gets it at its next sync.".to_owned()),
        _ => None,
    };
    mentee_view(&st, m, handle, csrf, flash, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub(super) struct MessageForm {
    csrf: String,
    tracker: String,
    milestone: String,
    text: String,
}

/// What every form on a mentee's page does: the session, the form, its CSRF token, the
/// mentee behind the handle, then `act`; back to the page saying `done`, or the page again
/// with the problem in plain words.
async fn mentee_form<F: Send + 'static>(
    st: Arc<AppState>,
    s: Session,
    handle: String,
    form: std::result::Result<Form<F>, FormRejection>,
    token: fn(&F) -> &str,
    done: &'static str,
    act: impl FnOnce(&crate::Service, &str, &str, F) -> Result<()> + Send + 'static,
) -> Response {
    let Some(m) = mentor(&st, &s).await else { return to_sign_in() };
    let Form(f) = match form {
        Ok(f) => f,
        Err(r) => return bad_form(&r),
    };
    if !csrf_ok(&s, token(&f)).await {
        return csrf_refused();
    }
    let svc = st.svc.clone();
    let (who, h) = (m.clone(), handle.clone());
    let r = work(move || {
        let mentee = svc.resolve_handle(&who, &h)?.ok_or(Error::NotFound("mentee"))?;
        act(&svc, &who, &mentee, f)
    })
    .await;
    match r {
        Ok(()) => Redirect::to(&format!("/mentor/m/{handle}?done={done}")).into_response(),
        Err(Error::BadRequest(_, msg)) => {
            let csrf = csrf(&s).await;
            mentee_view(&st, m, handle, csrf, None, Some(msg), StatusCode::BAD_REQUEST).await
        }
        Err(e) => refusal(&e, Some(csrf(&s).await)),
    }
}

pub(super) async fn message(
    State(st): State<Arc<AppState>>,
    s: Session,
    Path(handle): Path<String>,
    form: std::result::Result<Form<MessageForm>, FormRejection>,
) -> Response {
    mentee_form(
        st,
        s,
        handle,
        form,
        |f| &f.csrf,
        "message",
        |svc, who, mentee, f| {
            svc.leave_message(who, mentee, &f.tracker, &f.milestone, &f.text).map(drop)
        },
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct OutreachForm {
    csrf: String,
    channel: String,
    outcome: String,
}

pub(super) async fn outreach(
    State(st): State<Arc<AppState>>,
    s: Session,
    Path(handle): Path<String>,
    form: std::result::Result<Form<OutreachForm>, FormRejection>,
) -> Response {
    mentee_form(
        st,
        s,
        handle,
        form,
        |f| &f.csrf,
        "outreach",
        |svc, who, mentee, f| svc.log_outreach(who, mentee, &f.channel, &f.outcome),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct GoalForm {
    csrf: String,
    goal: String,
    text: String,
    status: String,
}

pub(super) async fn goal(
    State(st): State<Arc<AppState>>,
    s: Session,
    Path(handle): Path<String>,
    form: std::result::Result<Form<GoalForm>, FormRejection>,
) -> Response {
    mentee_form(
        st,
        s,
        handle,
        form,
        |f| &f.csrf,
        "goal",
        |svc, who, mentee, f| {
            let id = (!f.goal.is_empty()).then_some(f.goal.as_str());
            svc.mentor_goal(who, mentee, id, &f.text, &f.status).map(drop)
        },
    )
    .await
}
