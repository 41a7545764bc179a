//! The mentor's web pages on the real server process over TLS, on SQLite and PostgreSQL,
//! driven with raw HTTPS requests (the browser run is in `gui::mentor_browser`): staff set a
//! mentor up from the CLI, the one-time link is shown by GET and claimed by POST (password +
//! TOTP), the caseload and a mentee's page show exactly what the real phone shared, the
//! phone pulls the disclosure rows, revocation empties the next page; and hostile input: no
//! CSRF token, another site's form, a forged session, someone else's mentee handle, an
//! oversized form, a script in a message, too many wrong passwords, sign-out everywhere.

use std::sync::{Arc, Mutex};

use kindred_client::keys::MemoryCreds;
use kindred_client::sync::sync_once;
use kindred_client::Kindred;
use kindred_core::ipc::{CheckInReq, CreateTrackerReq, GrantReq, LogCravingReq, RevokeGrantReq};
use kindred_core::model::ladder::Ladder;
use kindred_tests::mentor::{totp, MentorSite};
use kindred_tests::sync::{real_device, ServerProc};
use reqwest::blocking::{Client, Response};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

struct Web {
    server: ServerProc,
    client: Client,
}

/// The value of `name="<field>" value="…"` in a page.
fn field(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("{name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn cookie(r: &Response) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kindred_mentor="))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

impl Web {
    fn get(&self, path: &str, jar: &mut String) -> (u16, String, Option<String>) {
        let r = self
            .client
            .get(format!("{}{path}", self.server.url()))
            .header(COOKIE, jar.as_str())
            .send()
            .unwrap();
        self.answer(r, jar)
    }

    fn post(
        &self,
        path: &str,
        jar: &mut String,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> (u16, String, Option<String>) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.server.url()))
            .header(COOKIE, jar.as_str())
            .form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().unwrap();
        self.answer(r, jar)
    }

    fn answer(&self, r: Response, jar: &mut String) -> (u16, String, Option<String>) {
        if let Some(c) = cookie(&r) {
            *jar = c;
        }
        let status = r.status().as_u16();
        let location = r.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let csp =
            r.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
        assert!(
            csp.is_some_and(
                |c| c.contains("script-src 'self'") && c.contains("frame-ancestors 'none'")
            ),
            "CSP on every page"
        );
        (status, r.text().unwrap(), location)
    }
}

struct Phone {
    _dir: tempfile::TempDir,
    k: Mutex<Kindred>,
    creds: Arc<MemoryCreds>,
}

fn sync(w: &Web, p: &Phone) {
    let r = sync_once(&p.k, &mut w.server.transport(p.creds.clone()), true).unwrap();
    assert_eq!(r.status, kindred_client::sync::Status::Ok, "{r:?}");
}

fn as_refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

const PASSWORD: &str = "harbour lantern tuesday violet";

#[test]
fn mentor_web_pages_show_only_what_the_phone_shared() {
    let dir = tempfile::tempdir().unwrap();
    for (name, database, _keep) in crate::pg::databases(dir.path()) {
        let key = dir.path().join(format!("web-{}", database.len()));
        let server = ServerProc::start(&database, &key, 0, &[]);
        let client = server.client();
        let w = Web { server, client };
        let s = |args: &[&str]| w.server.staff(args);
        let site = MentorSite::create(s, &w.server.url(), "Riverside", "A-1");
        let (program, mentee, link) = (site.program, site.mentee, site.link);
        let other = s(&["mentor", "create", "--program", &program, "Sam"]);
        let path = link.strip_prefix(&w.server.url()).unwrap().to_owned();

        // The phone: data in every category, connected, synced.
        let pdir = tempfile::tempdir().unwrap();
        let p = Phone {
            k: real_device(pdir.path()),
            _dir: pdir,
            creds: Arc::new(MemoryCreds::default()),
        };
        w.server.enrol(&mentee, &p.k, &*p.creds);
        {
            let mut k = p.k.lock().unwrap();
            k.create_tracker(CreateTrackerReq {
                label: "CANARY-TRACKER".into(),
                start_local: String::new(),
                tz: None,
                ladder: Ladder::Default,
            })
            .unwrap();
            k.check_in(CheckInReq {
                mood: 4,
                craving: false,
                halt: vec![],
                line: "CANARY-CHECKIN".into(),
            })
            .unwrap();
            k.log_craving(LogCravingReq { intensity: 7 }).unwrap();
            k.add_goal(kindred_core::ipc::AddGoalReq { text: "CANARY-GOAL".into() }).unwrap();
        }
        sync(&w, &p);

        // Set-up: GET shows the form and does not use the link up.
        let mut jar = String::new();
        let (st, html, _) = w.get(&path, &mut jar);
        assert_eq!(st, 200, "{name}");
        let (st, html2, _) = w.get(&path, &mut jar);
        assert_eq!(st, 200, "{name}: a scanner's GET does not consume the link");
        assert_eq!(field(&html, "token"), field(&html2, "token"));
        let secret = kindred_tests::mentor::setup_key(&html);
        let csrf = field(&html, "csrf");
        let token = field(&html, "token");
        let form = |pw: &'static str, code: String| {
            vec![
                ("csrf", csrf.clone()),
                ("token", token.clone()),
                ("password", pw.into()),
                ("again", pw.into()),
                ("code", code),
            ]
        };

        // No token, another site, a common password, a wrong code: refused, nothing changes.
        let (st, ..) = w.post("/mentor/setup", &mut jar, &[("token", token.as_str())], &[]);
        assert_eq!(st, 400, "{name}: an incomplete form");
        let good = form(PASSWORD, totp(&secret, 0));
        let (st, ..) = w.post(
            "/mentor/setup",
            &mut jar,
            &as_refs(&good),
            &[("origin", "https://evil.example")],
        );
        assert_eq!(st, 403, "{name}: another site's form");
        let (st, ..) =
            w.post("/mentor/setup", &mut jar, &as_refs(&good), &[("sec-fetch-site", "cross-site")]);
        assert_eq!(st, 403, "{name}");
        let (st, body, _) = w.post(
            "/mentor/setup",
            &mut jar,
            &as_refs(&form("password123", totp(&secret, 0))),
            &[],
        );
        assert_eq!(st, 400, "{name}");
        assert!(body.contains("leaked password lists"), "{name}");
        let (st, ..) =
            w.post("/mentor/setup", &mut jar, &as_refs(&form(PASSWORD, "000000".into())), &[]);
        assert_eq!(st, 400, "{name}: wrong code");
        let mut no_csrf = good.clone();
        no_csrf[0].1 = "forged".into();
        let (st, ..) = w.post("/mentor/setup", &mut jar, &as_refs(&no_csrf), &[]);
        assert_eq!(st, 403, "{name}: a forged CSRF token");
        let before = jar.clone();
        let (st, _, loc) = w.post("/mentor/setup", &mut jar, &as_refs(&good), &[]);
        assert_eq!((st, loc.as_deref()), (303, Some("/mentor")), "{name}");
        assert_ne!(jar, before, "{name}: a new session id at sign-in");
        let (st, ..) = w.get(&path, &mut String::new());
        assert_eq!(st, 404, "{name}: the link is used up");

        // Nothing shared yet: the pseudonym only.
        let (st, page, _) = w.get("/mentor", &mut jar);
        assert_eq!(st, 200, "{name}");
        assert!(page.contains("A-1") && page.contains("shared anything"), "{name}");
        assert!(!page.contains("CANARY"), "{name}");
        let handle = {
            let at = page.find("/mentor/m/").unwrap() + 10;
            page[at..at + 32].to_owned()
        };
        let (_, mp, _) = w.get(&format!("/mentor/m/{handle}"), &mut jar);
        assert!(!mp.contains("CANARY") && !mp.contains("42 CFR"), "{name}");

        // The phone shares milestones and check-ins with Robin.
        let grant = {
            let mut k = p.k.lock().unwrap();
            let v = k.sharing().unwrap();
            assert_eq!(v.mentors.len(), 1, "{name}: the link came down");
            assert!(v.now[0].contains("sees nothing"), "{name}");
            let v = k
                .grant_sharing(GrantReq {
                    assignment_id: v.mentors[0].assignment_id.clone(),
                    categories: vec!["milestones".into(), "check_ins".into()],
                    until: None,
                    phone: Some("(555) 010-1234".into()),
                    replaces: None,
                })
                .unwrap();
            assert!(
                v.now[0].contains("milestones and sober time and check-ins"),
                "{name}: {:?}",
                v.now
            );
            v.grants[0].id.clone()
        };
        sync(&w, &p);
        let (_, mp, _) = w.get(&format!("/mentor/m/{handle}"), &mut jar);
        assert!(mp.contains("CANARY-TRACKER") && mp.contains("CANARY-CHECKIN"), "{name}");
        assert!(!mp.contains("CANARY-GOAL"), "{name}: goals were not shared");
        assert!(mp.contains("42 CFR part 2") && mp.contains("tel:+15550101234"), "{name}");
        let (_, cl, _) = w.get("/mentor", &mut jar);
        assert!(cl.contains("Shares: Milestones and sober time, Check-ins"), "{name}");
        assert!(cl.contains("Milestone coming up. CANARY-TRACKER: 24 hours"), "{name}");
        assert!(!cl.contains("CANARY-CHECKIN"), "{name}: the caseload shows signals, not entries");
        // A message with a script in it: stored as typed, never run (escaped wherever shown).
        let tracker_id = field(&mp, "tracker");
        let milestone = field(&mp, "milestone");
        let c = field(&mp, "csrf");
        let script = "<script>alert(1)</script> So proud of you";
        let (st, _, loc) = w.post(
            &format!("/mentor/m/{handle}/message"),
            &mut jar,
            &[("csrf", &c), ("tracker", &tracker_id), ("milestone", &milestone), ("text", script)],
            &[],
        );
        assert_eq!((st, loc.unwrap_or_default().ends_with("?done=message")), (303, true), "{name}");
        let big = "x".repeat(9 * 1024);
        let (st, ..) = w.post(
            &format!("/mentor/m/{handle}/message"),
            &mut jar,
            &[("csrf", &c), ("tracker", &tracker_id), ("milestone", &milestone), ("text", &big)],
            &[],
        );
        assert_eq!(st, 413, "{name}: an oversized form");
        let (st, ..) = w.post(
            &format!("/mentor/m/{handle}/outreach"),
            &mut jar,
            &[("csrf", &c), ("channel", "call"), ("outcome", "reached")],
            &[],
        );
        assert_eq!(st, 303, "{name}");
        let (st, ..) = w.post(
            &format!("/mentor/m/{handle}/outreach"),
            &mut jar,
            &[("csrf", &c), ("channel", "carrier-pigeon"), ("outcome", "reached")],
            &[],
        );
        assert_eq!(st, 400, "{name}");
        // Someone else's or a made-up handle, a forged session.
        let (st, ..) = w.get(&format!("/mentor/m/{}", "0".repeat(32)), &mut jar);
        assert_eq!(st, 404, "{name}");
        let (st, _, loc) = w.get("/mentor", &mut "kindred_mentor=forged".to_owned());
        assert_eq!((st, loc.as_deref()), (303, Some("/mentor/sign-in")), "{name}");

        // The phone pulls the log of who looked, and the message.
        sync(&w, &p);
        {
            let mut k = p.k.lock().unwrap();
            let log = k.disclosure_log().unwrap();
            assert!(log.rows.len() >= 2, "{name}: {:?}", log.rows);
            assert!(log.rows.iter().all(|r| r.mentor == "Robin"));
            assert!(log.weeks[0].starts_with("This week: Robin looked"), "{name}: {:?}", log.weeks);
            assert!(!log.csv.contains("CANARY"));
            let msgs = k.program_content("milestone_message").unwrap();
            assert_eq!(msgs.len(), 1, "{name}");
            assert_eq!(msgs[0].1["text"], script, "{name}: stored as typed");
            // Stop sharing: the mentor's next request shows nothing of it.
            k.revoke_sharing(RevokeGrantReq { grant_id: grant }).unwrap();
        }
        sync(&w, &p);
        let (_, mp, _) = w.get(&format!("/mentor/m/{handle}"), &mut jar);
        assert!(!mp.contains("CANARY"), "{name}: revoked");

        // Another mentor of the program (not assigned to A-1): nothing of A-1 exists for them,
        // not even through Robin's handle; the log route wants a phone's token.
        let sam_link = s(&[
            "mentor",
            "setup-link",
            "--mentor",
            &other,
            "--login",
            "sam",
            "--server",
            &w.server.url(),
        ]);
        let mut sam = String::new();
        let (_, html, _) = w.get(sam_link.strip_prefix(&w.server.url()).unwrap(), &mut sam);
        let sam_secret = kindred_tests::mentor::setup_key(&html);
        let sam_form = [
            ("csrf", field(&html, "csrf")),
            ("token", field(&html, "token")),
            ("password", "quiet river morning bicycle".to_owned()),
            ("again", "quiet river morning bicycle".to_owned()),
            ("code", totp(&sam_secret, 0)),
        ];
        let (st, ..) = w.post("/mentor/setup", &mut sam, &as_refs(&sam_form), &[]);
        assert_eq!(st, 303, "{name}");
        let (_, page, _) = w.get("/mentor", &mut sam);
        assert!(page.contains("No one is assigned to you yet") && !page.contains("A-1"), "{name}");
        let (st, body, _) = w.get(&format!("/mentor/m/{handle}"), &mut sam);
        assert_eq!(st, 404, "{name}: Robin's handle means nothing to Sam");
        assert!(!body.contains("A-1") && !body.contains("CANARY"), "{name}");
        let c = field(&page, "csrf");
        let (st, ..) = w.post(
            &format!("/mentor/m/{handle}/outreach"),
            &mut sam,
            &[("csrf", &c), ("channel", "call"), ("outcome", "reached")],
            &[],
        );
        assert_eq!(st, 404, "{name}");
        for auth in [None, Some("ka_forged")] {
            let mut r = w.client.get(format!("{}/sync/v1/disclosures", w.server.url()));
            if let Some(t) = auth {
                r = r.bearer_auth(t);
            }
            assert_eq!(
                r.send().unwrap().status(),
                401,
                "{name}: the log needs the phone's sign-in"
            );
        }

        // Sign-in: wrong passwords are counted per name; past five, every try waits.
        let mut fresh = String::new();
        let (_, html, _) = w.get("/mentor/sign-in", &mut fresh);
        let c = field(&html, "csrf");
        let (st, _, loc) = w.post(
            "/mentor/sign-in",
            &mut fresh,
            &[
                ("csrf", &c),
                ("login", "robin"),
                ("password", PASSWORD),
                ("code", &totp(&secret, 30)),
            ],
            &[],
        );
        assert_eq!((st, loc.as_deref()), (303, Some("/mentor")), "{name}: password and code");
        let mut other_jar = String::new();
        let (_, html, _) = w.get("/mentor/sign-in", &mut other_jar);
        let c2 = field(&html, "csrf");
        for i in 0..5 {
            let (st, body, _) = w.post(
                "/mentor/sign-in",
                &mut other_jar,
                &[
                    ("csrf", &c2),
                    ("login", "robin"),
                    ("password", "wrong password here"),
                    ("code", "123456"),
                ],
                &[],
            );
            assert_eq!(st, 401, "{name} try {i}");
            assert!(body.contains("did not match"));
        }
        let (st, ..) = w.post(
            "/mentor/sign-in",
            &mut other_jar,
            &[("csrf", &c2), ("login", "robin"), ("password", PASSWORD), ("code", "123456")],
            &[],
        );
        assert_eq!(st, 429, "{name}: the sixth try waits");
        // Sign out everywhere ends both sessions.
        let (_, page, _) = w.get("/mentor", &mut fresh);
        let c = field(&page, "csrf");
        let (st, ..) = w.post("/mentor/sign-out-everywhere", &mut fresh, &[("csrf", &c)], &[]);
        assert_eq!(st, 303);
        for j in [&mut jar, &mut fresh] {
            let (st, _, loc) = w.get("/mentor", j);
            assert_eq!((st, loc.as_deref()), (303, Some("/mentor/sign-in")), "{name}");
        }
    }
}
