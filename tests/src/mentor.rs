//! Helpers for the mentor pages' tests: the code an authenticator app would show now, and
//! the key the set-up page shows for it.

/// The 6-digit TOTP code for the base32 `secret`, `offset_s` seconds from now.
pub fn totp(secret_b32: &str, offset_s: u64) -> String {
    let secret = totp_rs::Secret::Encoded(secret_b32.to_owned()).to_bytes().expect("base32 key");
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).expect("TOTP");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    t.generate(now + offset_s)
}

/// The authenticator key on a set-up page (the text of its `<code>`).
pub fn setup_key(html: &str) -> String {
    let start = html.find("<code>").expect("the key on the set-up page") + 6;
    let end = html[start..].find("</code>").expect("the key's end") + start;
    html[start..end].to_owned()
}

/// A program with one mentee assigned to the mentor "Robin", and Robin's set-up link (sign-in
/// name `robin`), made with the staff CLI (`staff` runs one command, answers its output).
pub struct MentorSite {
    pub program: String,
    pub mentee: String,
    pub mentor: String,
    pub link: String,
}

impl MentorSite {
    /// Creates program `program` and mentee `mentee` (labels) on the server at `url`.
    pub fn create(
        staff: impl Fn(&[&str]) -> String,
        url: &str,
        program: &str,
        mentee: &str,
    ) -> Self {
        let program = staff(&["program", "create", program]);
        let mentee = staff(&["mentee", "create", "--program", &program, mentee]);
        let mentor = staff(&["mentor", "create", "--program", &program, "Robin"]);
        staff(&["mentor", "assign", "--mentor", &mentor, "--mentee", &mentee]);
        let link = staff(&[
            "mentor",
            "setup-link",
            "--mentor",
            &mentor,
            "--login",
            "robin",
            "--server",
            url,
        ]);
        MentorSite { program, mentee, mentor, link }
    }
}
