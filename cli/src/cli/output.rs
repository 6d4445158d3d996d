//! What every provider command shares: the global options, client
//! construction from flags and environment, printing (aligned fields or
//! JSON), the wait progress line, saving files, and turning an
//! [`Error`] into one printed line and an exit status.
//!
//! Nothing here prints a credential: secrets go from the flags or the
//! environment straight into the client builders, and every error line is
//! passed through [`mask_sensitive`] (a transport error can quote a request
//! URL whose query holds a mobile number).

use super::Failure;
use super::json::{ErrorBody, ErrorOutput, Skip};
use clap::Args;
use digilocker_kyc::flow::{Document, Profile, Progress, Session};
pub use digilocker_kyc::redact::{mask_id, mask_sensitive, url_for_display};
use digilocker_kyc::{EkoClient, EkoClientBuilder, Error, PollPolicy, SandboxClient, eko};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Options shared by every command (`--json`, `--verbose`, `--base-url`).
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// Print JSON on stdout instead of aligned fields.
    pub json: bool,
    /// Add the error's source chain and where requests go.
    pub verbose: bool,
    /// Base URL of the provider the command talks to.
    pub base_url: Option<String>,
    /// `host:port` of the API the client built for this command talks to,
    /// named in connection errors (the library's transport errors carry no
    /// URL: document links are secrets).
    pub target: std::cell::OnceCell<String>,
}

/// A current-thread tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            Failure::Other
        })
}

// ---------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------

/// Sandbox credentials. Each flag falls back to its environment variable
/// (clap reads it; `--help` names the variable, never its value); values
/// are never printed.
#[derive(Debug, Clone, Default, Args)]
pub struct SandboxCreds {
    /// Sandbox API key (`key_test_…` / `key_live_…`).
    #[arg(
        long,
        global = true,
        value_name = "KEY",
        env = digilocker_kyc::sandbox::ENV_API_KEY,
        hide_env_values = true
    )]
    api_key: Option<String>,
    /// Sandbox API secret. Prefer the environment variable: command lines
    /// are visible to other users.
    #[arg(
        long,
        global = true,
        value_name = "SECRET",
        env = digilocker_kyc::sandbox::ENV_API_SECRET,
        hide_env_values = true
    )]
    api_secret: Option<String>,
    /// The Sandbox base URL from the environment (`--base-url` wins).
    #[arg(
        long = "sandbox-base-url",
        global = true,
        hide = true,
        value_name = "URL",
        env = digilocker_kyc::sandbox::ENV_BASE_URL,
        hide_env_values = true
    )]
    env_base_url: Option<String>,
}

impl SandboxCreds {
    /// A client from the flags, then the environment; `--base-url` wins over
    /// `SANDBOX_BASE_URL`.
    pub fn client(&self, ctx: &Ctx) -> Result<SandboxClient, Failure> {
        let mut b = SandboxClient::builder();
        if let Some(k) = &self.api_key {
            b = b.api_key(k.trim());
        }
        if let Some(s) = &self.api_secret {
            b = b.api_secret(s.trim());
        }
        if let Some(u) = ctx.base_url.as_ref().or(self.env_base_url.as_ref()) {
            b = b.base_url(u.trim());
        }
        // The library fills what is still unset from the environment (the
        // API version; the rest came through clap).
        let client = b.with_env().build().map_err(|e| {
            report(
                &e,
                ctx,
                Some("pass --api-key/--api-secret or set SANDBOX_API_KEY and SANDBOX_API_SECRET"),
            )
        })?;
        remember_target(ctx, client.config().base_url());
        if ctx.verbose {
            eprintln!("using Sandbox at {}", client.config().base_url());
        }
        Ok(client)
    }
}

/// Eko credentials. Each flag falls back to its environment variable
/// (clap reads it; `--help` names the variable, never its value); values
/// are never printed.
#[derive(Debug, Clone, Default, Args)]
pub struct EkoCreds {
    /// Eko developer_key.
    #[arg(
        long,
        global = true,
        value_name = "KEY",
        env = eko::ENV_DEVELOPER_KEY,
        hide_env_values = true
    )]
    developer_key: Option<String>,
    /// Eko access key, which signs every request. Prefer the environment
    /// variable: command lines are visible to other users.
    #[arg(
        long,
        global = true,
        value_name = "KEY",
        env = eko::ENV_ACCESS_KEY,
        hide_env_values = true
    )]
    access_key: Option<String>,
    /// Eko initiator_id, the API user's registered mobile number.
    #[arg(
        long,
        global = true,
        value_name = "MOBILE",
        env = eko::ENV_INITIATOR_ID,
        hide_env_values = true
    )]
    initiator_id: Option<String>,
    /// Eko user_code.
    #[arg(
        long,
        global = true,
        value_name = "CODE",
        env = eko::ENV_USER_CODE,
        hide_env_values = true
    )]
    user_code: Option<String>,
    /// The Eko base URL from the environment (`--base-url` wins).
    #[arg(
        long = "eko-base-url",
        global = true,
        hide = true,
        value_name = "URL",
        env = eko::ENV_BASE_URL,
        hide_env_values = true
    )]
    env_base_url: Option<String>,
}

impl EkoCreds {
    /// A client from the flags (or their environment variables);
    /// `--base-url` (a URL, or `uat` / `production`) wins over
    /// `EKO_BASE_URL`.
    pub fn client(&self, ctx: &Ctx) -> Result<EkoClient, Failure> {
        // The builder names a missing setting by its variable.
        let lookup = |name: &str| -> Option<String> {
            match name {
                eko::ENV_DEVELOPER_KEY => self.developer_key.clone(),
                eko::ENV_ACCESS_KEY => self.access_key.clone(),
                eko::ENV_INITIATOR_ID => self.initiator_id.clone(),
                eko::ENV_USER_CODE => self.user_code.clone(),
                eko::ENV_BASE_URL => ctx.base_url.clone().or_else(|| self.env_base_url.clone()),
                _ => None,
            }
        };
        let hint = Some(
            "pass --developer-key/--access-key/--initiator-id or set EKO_DEVELOPER_KEY, \
             EKO_ACCESS_KEY and EKO_INITIATOR_ID",
        );
        let client = EkoClientBuilder::from_lookup(lookup)
            .and_then(EkoClientBuilder::build)
            .map_err(|e| report(&e, ctx, hint))?;
        remember_target(ctx, client.base_url());
        if ctx.verbose {
            eprintln!("using Eko at {}", client.base_url());
        }
        Ok(client)
    }
}

// ---------------------------------------------------------------------------
// Errors and exit codes
// ---------------------------------------------------------------------------

/// Remember `base_url`'s `host:port` in `ctx` for connection errors.
fn remember_target(ctx: &Ctx, base_url: &str) {
    let Ok(u) = url::Url::parse(base_url) else {
        return;
    };
    if let (Some(host), Some(port)) = (u.host_str(), u.port_or_known_default()) {
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        let _ = ctx.target.set(format!("{host}:{port}"));
    }
}

/// The exit status for an error (see the table in `cli/mod.rs`).
pub fn failure_for(e: &Error) -> Failure {
    match e {
        Error::InvalidInput { .. } | Error::Config(_) => Failure::Invalid,
        Error::Auth(_) => Failure::Auth,
        Error::Provider(_) | Error::SessionNotFound(_) | Error::RateLimited { .. } => {
            Failure::Provider
        }
        Error::NotReady { .. } | Error::WaitTimedOut { .. } => Failure::NotReady,
        Error::Transport { kind, .. } if *kind == digilocker_kyc::TransportKind::Timeout => {
            Failure::NotReady
        }
        _ => Failure::Other,
    }
}

/// Print `e` as one line on stderr (plus its causes with `--verbose`, plus
/// an `{"error": …}` object on stdout with `--json`) and return its exit
/// status. `hint` is appended for configuration errors.
pub fn report(e: &Error, ctx: &Ctx, hint: Option<&str>) -> Failure {
    let failure = failure_for(e);
    let mut line = mask_sensitive(&e.to_string());
    if let (Error::Config(_), Some(h)) = (e, hint) {
        line.push_str(&format!(" ({h})"));
    }
    if let (Error::Transport { .. }, Some(t)) = (e, ctx.target.get()) {
        line.push_str(&format!(" (tried {t})"));
    }
    eprintln!("error: {line}");
    let mut causes = Vec::new();
    if ctx.verbose {
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            let text = mask_sensitive(&s.to_string());
            eprintln!("  caused by: {text}");
            causes.push(text);
            source = s.source();
        }
    }
    if ctx.json {
        let p = e.provider_error();
        let provider = match e {
            Error::Transport { provider, .. } | Error::Decode { provider, .. } => Some(*provider),
            _ => p.map(|p| p.provider),
        };
        print_json(&ErrorOutput {
            error: ErrorBody {
                kind: e.kind(),
                message: line,
                exit_code: Some(failure.code()),
                provider: Skip::Field(provider),
                http_status: Skip::Field(e.http_status()),
                code: Skip::Field(p.and_then(|p| p.code)),
                transaction_id: Skip::Field(e.transaction_id().map(String::from)),
                causes: Some(causes),
            },
        });
    }
    failure
}

/// Print a failure that is not a library error (I/O) and return `f`.
pub fn fail_with(f: Failure, message: impl std::fmt::Display) -> Failure {
    eprintln!("error: {}", mask_sensitive(&message.to_string()));
    f
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

/// Write a result to stdout. A reader that closed the pipe (`| head`) ends
/// the process at once with exit 0; any other write error with exit 1.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// Print a value as pretty JSON on stdout. Every URL in it loses its
/// `user:password@` part.
pub fn print_json(v: &impl Serialize) {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) if s.contains("://") => {
                *s = digilocker_kyc::redact::strip_userinfo(s);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            serde_json::Value::Object(m) => m.values_mut().for_each(strip),
            _ => {}
        }
    }
    let v = serde_json::to_value(v).map(|mut v| {
        strip(&mut v);
        v
    });
    match v.and_then(|v| serde_json::to_string_pretty(&v)) {
        Ok(s) => outln!("{s}"),
        Err(e) => eprintln!("error: cannot serialise the output: {e}"),
    }
}

/// Aligned `key: value` lines.
#[derive(Debug, Default)]
pub struct Fields {
    rows: Vec<(String, String)>,
}

impl Fields {
    /// No fields yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a field.
    pub fn add(&mut self, key: &str, value: impl std::fmt::Display) -> &mut Self {
        self.rows.push((key.to_string(), value.to_string()));
        self
    }

    /// Add a field when there is a value.
    pub fn opt(&mut self, key: &str, value: Option<impl std::fmt::Display>) -> &mut Self {
        if let Some(v) = value {
            self.add(key, v);
        }
        self
    }

    /// Print with `indent` spaces before each key; every value passes
    /// through [`mask_sensitive`].
    pub fn print(&self, indent: usize) {
        for line in self.lines(indent) {
            outln!("{line}");
        }
    }

    /// The lines [`Fields::print`] prints.
    pub fn lines(&self, indent: usize) -> Vec<String> {
        let width = self.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
        self.rows
            .iter()
            .map(|(k, v)| {
                let key = format!("{k}:");
                format!("{:indent$}{key:<width$} {}", "", mask_sensitive(v))
            })
            .collect()
    }
}

/// `yes` / `no`.
/// A journey just started, as `digilocker <provider> start` shows it: the
/// session itself with `--json`, else its fields (the id under `id_label`)
/// and the command that waits for it.
pub fn print_started(ctx: &Ctx, session: &Session, id_label: &str, provider: &str) {
    if ctx.json {
        print_json(session);
        return;
    }
    let requested: Vec<&str> = session.requested.iter().map(|d| d.as_str()).collect();
    let mut f = Fields::new();
    f.add(id_label, &session.id)
        .add("requested", requested.join(", "))
        .add("consent link", &session.authorization_url)
        .opt("verification id", session.verification_id.as_ref());
    f.print(0);
    outln!("\nSend the user to the consent link, then:");
    outln!("  digilocker {provider} status {} --wait", session.id);
}

pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Epoch milliseconds as RFC 3339 (UTC), or the number when out of range.
pub fn time_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

// ---------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------

/// `--wait`, `--timeout`, `--interval`.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Poll until the session settles (succeeded, failed, expired, denied).
    #[arg(long)]
    pub wait: bool,
    /// With --wait: give up after this long (exit 5), e.g. `90s`, `10m`,
    /// `1h 30m`, `500ms`.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration, requires = "wait")]
    pub timeout: Duration,
    /// With --wait: poll at this fixed interval [default: 2s growing by 1.5x
    /// up to 15s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "wait")]
    pub interval: Option<Duration>,
}

impl WaitArgs {
    /// The polling policy these flags describe.
    pub fn policy(&self) -> PollPolicy {
        match self.interval {
            Some(i) => PollPolicy::fixed(i, self.timeout),
            None => PollPolicy::default()
                .with_time_limit(self.timeout)
                .with_attempt_limit(u32::MAX),
        }
    }
}

/// A duration flag: humantime's spellings (`500ms`, `2s`, `10m`, `1h 30m`,
/// `2min`), or a bare number of seconds (`3`, `0.5`); more than zero and at
/// most a week.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let out_of_range = || format!("{s:?} is out of range (more than 0, at most 7 days)");
    let d = match t.parse::<f64>() {
        Ok(secs) => Duration::try_from_secs_f64(secs).map_err(|_| out_of_range())?,
        Err(_) => humantime::parse_duration(t)
            .map_err(|e| format!("{s:?} is not a duration (e.g. 500ms, 2s, 10m, 1h): {e}"))?,
    };
    if d.is_zero() || d > WEEK {
        return Err(out_of_range());
    }
    Ok(d)
}

/// The longest duration a flag takes.
const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// The wait's progress line on stderr: only when stderr is a terminal.
pub struct ProgressLine {
    enabled: bool,
    drawn: bool,
}

impl ProgressLine {
    /// A progress line, shown only if stderr is a terminal.
    pub fn new() -> Self {
        ProgressLine {
            enabled: std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    /// Redraw after a status call.
    pub fn update<T>(&mut self, p: &Progress<'_, T>, state: impl Fn(&T) -> String) {
        if !self.enabled {
            return;
        }
        const SPIN: [char; 4] = ['|', '/', '-', '\\'];
        let spin = SPIN[(p.attempt as usize) % SPIN.len()];
        let what = match p.last {
            Ok(v) => state(v),
            Err(e) => format!("retrying after: {}", mask_sensitive(&e.to_string())),
        };
        let next = p
            .next_in
            .map(|d| format!(", next poll in {:.1}s", d.as_secs_f64()))
            .unwrap_or_default();
        let mut line = format!(
            "{spin} waiting: {what} ({:.1}s elapsed, poll {}{next})",
            p.elapsed.as_secs_f64(),
            p.attempt
        );
        line.truncate(line.char_indices().nth(100).map_or(line.len(), |(i, _)| i));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clear the line.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.finish();
    }
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/// Where the `n`-th (0-based) of `count` files goes: `path` itself for a
/// single file, `path` with `-2`, `-3`... before the extension for the
/// others; inside `path` as `<stem>[-n].<ext>` when it is a directory.
pub fn save_path(path: &Path, stem: &str, ext: &str, n: usize) -> PathBuf {
    let suffix = if n == 0 {
        String::new()
    } else {
        format!("-{}", n + 1)
    };
    if path.is_dir() {
        return path.join(format!("{stem}{suffix}.{ext}"));
    }
    if n == 0 {
        return path.to_path_buf();
    }
    let file_stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| stem.to_string());
    let name = match path.extension() {
        Some(e) => format!("{file_stem}{suffix}.{}", e.to_string_lossy()),
        None => format!("{file_stem}{suffix}"),
    };
    path.with_file_name(name)
}

/// Write personal data to `path`, readable by its owner only (on Unix).
///
/// The bytes go to a new file created in the same folder (`O_EXCL`, mode
/// 0600, so nothing pre-created by someone else is reused), which is then
/// renamed over `path`. A rename replaces whatever is at `path` (a file of
/// another mode, a symbolic link) without following it: a link's target is
/// never written, and an existing 0644 file becomes the new 0600 one.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        fail_with(
            Failure::Other,
            format!("cannot write {}: {e}", path.display()),
        )
    };
    let name = path
        .file_name()
        .ok_or_else(|| fail(std::io::Error::other("not a file name")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{}.{}.{:08x}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            fastrand::u32(..)
        ));
        match opts.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                attempt += 1;
            }
            Err(e) => return Err(fail(e)),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// A file extension for a MIME type.
pub fn extension_for(content_type: Option<&str>, bytes: &[u8]) -> &'static str {
    let ct = content_type.unwrap_or_default().to_ascii_lowercase();
    if ct.contains("xml") {
        "xml"
    } else if ct.contains("pdf") || bytes.starts_with(b"%PDF") {
        "pdf"
    } else if ct.contains("json") {
        "json"
    } else if ct.contains("jpeg") || ct.contains("jpg") {
        "jpg"
    } else if ct.contains("png") {
        "png"
    } else if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        "xml"
    } else {
        "bin"
    }
}

// ---------------------------------------------------------------------------
// The library's documents and profiles, for people
// ---------------------------------------------------------------------------

/// A neutral document's identity fields as aligned lines (under a heading
/// that names the kind).
pub fn print_document(d: &Document, indent: usize) {
    let mut f = Fields::new();
    f.opt("name", d.name.as_ref())
        .opt("dob", date_text(d.dob, d.dob_text.as_deref()))
        .opt("gender", d.gender.as_ref())
        .opt("id", d.masked_id.as_ref().map(|m| mask_id(m.expose())))
        .opt("address", d.address.as_ref())
        .opt(
            "photo",
            d.photo
                .as_ref()
                .and_then(|p| p.bytes())
                .map(|b| format!("{} bytes", b.len())),
        );
    f.print(indent);
}

/// Add a neutral profile's fields for people (the mobile number masked).
pub fn profile_fields(p: &Profile, f: &mut Fields) {
    f.opt("name", p.name.as_ref())
        .opt("dob", date_text(p.dob, p.dob_text.as_deref()))
        .opt("gender", p.gender.as_ref())
        .opt("mobile", p.mobile.as_ref())
        .opt("email", p.email.as_ref());
}

/// A date for people: ISO when parsed, else as written.
fn date_text(date: Option<chrono::NaiveDate>, raw: Option<&str>) -> Option<String> {
    date.map(|d| d.to_string())
        .or_else(|| raw.map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("8d").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn scrub_masks_numbers_inside_query_strings() {
        let s = mask_sensitive(
            "error for url (http://h/x?initiator_id=9876543210&reference_id=7000001)",
        );
        assert!(!s.contains("9876543210"), "{s}");
        assert!(s.contains("initiator_id=XXXXXX3210"), "{s}");
        assert!(s.contains("reference_id=7000001"), "{s}");
    }

    #[test]
    fn fields_print_timestamps_and_ids_as_they_are() {
        let mut f = Fields::new();
        f.add("created at", "2026-12-03T15:36:12Z")
            .add("created_at", 1764775007156_i64)
            .add("session id", "d3f8897e-0000-4000-8000-000000000001")
            .add("transaction id", "TXN-20261203-000123")
            .add("note", "mobile 9876543210, pan AXBPK1234L");
        let lines = f.lines(0).join("\n");
        for kept in [
            "2026-12-03T15:36:12Z",
            "1764775007156",
            "d3f8897e-0000-4000-8000-000000000001",
            "TXN-20261203-000123",
            "XXXXXX3210",
            "XXXXXX234L",
        ] {
            assert!(lines.contains(kept), "{kept} missing:\n{lines}");
        }
        assert!(!lines.contains("9876543210") && !lines.contains("AXBPK1234L"));
    }

    #[test]
    fn printed_links_have_no_userinfo_or_query() {
        assert_eq!(
            url_for_display("https://user:pass@files.example/f.xml?X-Amz-Signature=abc"),
            "https://files.example/f.xml"
        );
    }

    #[test]
    fn save_paths() {
        let p = Path::new("out/aadhaar.xml");
        assert_eq!(
            save_path(p, "x", "xml", 0),
            PathBuf::from("out/aadhaar.xml")
        );
        assert_eq!(
            save_path(p, "x", "xml", 1),
            PathBuf::from("out/aadhaar-2.xml")
        );
    }
}
