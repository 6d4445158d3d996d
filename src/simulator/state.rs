//! The simulator's state: configuration, clock, sessions and issued files.
//!
//! Everything here is synchronous. It lives behind `std::sync::Mutex`es that
//! the request handlers take, use and release without awaiting, so no lock
//! is ever held across an `.await`.

use super::fixtures::Persona;
use crate::eko::Signer;
use crate::redact::Secret;
use bytes::Bytes;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Lock a mutex, ignoring poisoning: the simulator's state stays usable
/// even if a test panicked while holding a lock elsewhere.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Settings fixed when the simulator starts.
#[derive(Clone)]
pub(crate) struct Config {
    pub sandbox_api_key: String,
    pub sandbox_api_secret: Secret,
    pub eko_developer_key: String,
    pub eko_access_key: Secret,
    pub eko_initiator_id: String,
    pub eko_user_code: String,
    pub eko_prefix: String,
    pub eko_timestamp_tolerance: Duration,
    pub eko_return_verification_id: bool,
    pub token_lifetime: Duration,
    pub session_lifetime: Duration,
    pub file_link_lifetime: Duration,
    pub auto_approve_after_polls: Option<u32>,
    pub auto_approve_after: Option<Duration>,
    pub persona: Persona,
    pub max_records: usize,
    pub max_body_bytes: usize,
    pub max_record_body_bytes: usize,
    pub max_record_bytes: usize,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sandbox_api_key: "key_test_digilockerkycsimulator0001".into(),
            sandbox_api_secret: Secret::new("secret_test_digilockerkycsimulator0001"),
            eko_developer_key: "5151a0de0e1f00d0c0ffee0000000001".into(),
            eko_access_key: Secret::new("00000000-5151-4a0d-8e1f-000000000001"),
            eko_initiator_id: "9000000100".into(),
            eko_user_code: "20000001".into(),
            eko_prefix: "/ekoapi/v3".into(),
            eko_timestamp_tolerance: Duration::from_secs(300),
            eko_return_verification_id: false,
            token_lifetime: Duration::from_secs(24 * 3600),
            session_lifetime: Duration::from_secs(3600),
            file_link_lifetime: Duration::from_secs(3600),
            auto_approve_after_polls: None,
            auto_approve_after: None,
            persona: Persona::default(),
            max_records: 100_000,
            max_body_bytes: 1 << 20,
            max_record_body_bytes: 8 << 10,
            max_record_bytes: 64 << 20,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// The simulator's clock: the system clock plus an offset that tests move
/// forward with [`Simulator::advance_clock`](super::Simulator::advance_clock).
/// Token expiry, session expiry, timed auto-approval, link expiry and the
/// Eko timestamp check all read this clock.
#[derive(Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        real + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> SystemTime {
        ms_to_system_time(self.now_ms())
    }

    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

pub(crate) fn ms_to_system_time(ms: i64) -> SystemTime {
    if ms >= 0 {
        UNIX_EPOCH + Duration::from_millis(ms as u64)
    } else {
        UNIX_EPOCH
    }
}

pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// Which API created a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionKind {
    /// Sandbox DigiLocker (`/kyc/digilocker/sessions/init`).
    DigiLocker,
    /// Sandbox DigiLocker SDK (`/kyc/digilocker-sdk/sessions/create`).
    DigiLockerSdk,
    /// Sandbox EntityLocker (`/kyc/entitylocker/sessions/init`).
    EntityLocker,
    /// Sandbox EntityLocker SDK (`/kyc/entitylocker-sdk/sessions/create`).
    EntityLockerSdk,
    /// Eko (`POST /tools/kyc/digilocker`).
    Eko,
}

/// DigiLocker document types Sandbox knows.
pub(crate) const DIGILOCKER_DOCS: &[&str] = &["aadhaar", "pan", "driving_license"];
/// EntityLocker document types Sandbox knows.
pub(crate) const ENTITYLOCKER_DOCS: &[&str] = &[
    "company_master_details",
    "gstn_details",
    "udhyam_certificate",
];
/// Eko document types.
pub(crate) const EKO_DOCS: &[&str] = &["AADHAAR"];

impl SessionKind {
    /// The document types a session of this kind can hold.
    pub fn known_documents(self) -> &'static [&'static str] {
        match self {
            SessionKind::DigiLocker | SessionKind::DigiLockerSdk => DIGILOCKER_DOCS,
            SessionKind::EntityLocker | SessionKind::EntityLockerSdk => ENTITYLOCKER_DOCS,
            SessionKind::Eko => EKO_DOCS,
        }
    }

    /// Whether the session is driven by a client-side SDK (no redirect URL;
    /// shows the `initialized` and `authorized` statuses).
    pub fn is_sdk(self) -> bool {
        matches!(
            self,
            SessionKind::DigiLockerSdk | SessionKind::EntityLockerSdk
        )
    }

    /// `@entity` of the session object in status (and SDK create) responses.
    pub(crate) fn session_entity(self) -> &'static str {
        match self {
            SessionKind::DigiLocker => "in.co.sandbox.kyc.digilocker.session",
            SessionKind::DigiLockerSdk => "in.co.sandbox.kyc.digilocker.sdk.session",
            SessionKind::EntityLocker => "in.co.sandbox.kyc.entitylocker.session",
            SessionKind::EntityLockerSdk => "in.co.sandbox.kyc.entitylocker.sdk.session",
            SessionKind::Eko => "eko",
        }
    }
}

/// Where a session is in its life.
///
/// How each state appears on the wire is described in the
/// [module documentation](super#session-states-on-the-wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionState {
    /// Created; the user has not started.
    Created,
    /// SDK sessions: the SDK was opened.
    Initialized,
    /// SDK sessions: the user signed in to DigiLocker.
    Authorized,
    /// The user consented; documents can be fetched.
    Succeeded,
    /// The journey failed.
    Failed,
    /// The session expired before the user finished.
    Expired,
    /// The user refused consent.
    Denied,
}

impl SessionState {
    /// Whether the session can no longer change.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SessionState::Succeeded
                | SessionState::Failed
                | SessionState::Expired
                | SessionState::Denied
        )
    }

    /// The Sandbox `status` value for this state and kind. Sandbox has no
    /// `denied` value, so denial reads `failed`; non-SDK sessions have no
    /// `initialized`/`authorized`, so those read `created`.
    pub(crate) fn sandbox_wire(self, kind: SessionKind) -> &'static str {
        match self {
            SessionState::Created => "created",
            SessionState::Initialized if kind.is_sdk() => "initialized",
            SessionState::Authorized if kind.is_sdk() => "authorized",
            SessionState::Initialized | SessionState::Authorized => "created",
            SessionState::Succeeded => "succeeded",
            SessionState::Failed | SessionState::Denied => "failed",
            SessionState::Expired => "expired",
        }
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SessionState::Created => "created",
            SessionState::Initialized => "initialized",
            SessionState::Authorized => "authorized",
            SessionState::Succeeded => "succeeded",
            SessionState::Failed => "failed",
            SessionState::Expired => "expired",
            SessionState::Denied => "denied",
        })
    }
}

/// Eko's identifiers of a session.
#[derive(Debug, Clone)]
pub(crate) struct EkoIds {
    pub reference_id: i64,
    pub verification_id: String,
}

/// One session, as the simulator keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub id: String,
    pub kind: SessionKind,
    pub state: SessionState,
    pub requested: Vec<String>,
    pub consented: Vec<String>,
    pub polls: u32,
    pub created_ms: i64,
    pub updated_ms: Option<i64>,
    pub expires_ms: i64,
    pub redirect_url: Option<String>,
    pub authorization_url: String,
    pub eko: Option<EkoIds>,
}

impl Session {
    /// Apply what time alone does: timed auto-approval and expiry.
    pub fn refresh(&mut self, now: i64, cfg: &Config) {
        if self.state.is_final() {
            return;
        }
        if let Some(after) = cfg.auto_approve_after {
            let at = self.created_ms.saturating_add(duration_ms(after));
            if at < self.expires_ms && now >= at {
                self.succeed(self.default_consent(), at);
                return;
            }
        }
        if now >= self.expires_ms {
            self.state = SessionState::Expired;
            self.updated_ms = Some(self.expires_ms);
        }
    }

    /// Count one status poll and apply poll-based auto-approval: with
    /// `n` polls configured the `n`-th poll sees `succeeded`; SDK sessions
    /// show `initialized` at poll `n-2` and `authorized` at poll `n-1`.
    pub fn poll(&mut self, now: i64, cfg: &Config) {
        self.polls = self.polls.saturating_add(1);
        if self.state.is_final() {
            return;
        }
        let Some(n) = cfg.auto_approve_after_polls else {
            return;
        };
        if self.polls >= n {
            self.succeed(self.default_consent(), now);
        } else if self.kind.is_sdk() {
            if self.polls + 1 == n {
                self.state = SessionState::Authorized;
                self.updated_ms = Some(now);
            } else if self.polls + 2 == n && self.state == SessionState::Created {
                self.state = SessionState::Initialized;
                self.updated_ms = Some(now);
            }
        }
    }

    /// The documents a "consent to everything" gives: what was requested,
    /// or every known type when nothing was (EntityLocker init).
    pub fn default_consent(&self) -> Vec<String> {
        if self.requested.is_empty() {
            self.kind
                .known_documents()
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            self.requested.clone()
        }
    }

    pub fn succeed(&mut self, docs: Vec<String>, now: i64) {
        self.state = SessionState::Succeeded;
        self.consented = docs;
        self.updated_ms = Some(now);
    }

    /// Normalise and check documents for [`Session::succeed`].
    pub fn check_documents(&self, docs: &[&str]) -> Result<Vec<String>, ControlError> {
        let mut out = Vec::new();
        for d in docs {
            let wanted = d.trim();
            let known = self
                .kind
                .known_documents()
                .iter()
                .find(|k| k.eq_ignore_ascii_case(wanted));
            let allowed = match known {
                Some(k) if self.requested.is_empty() || self.requested.iter().any(|r| r == k) => {
                    Some(*k)
                }
                _ => None,
            };
            match allowed {
                Some(k) => {
                    if !out.iter().any(|o: &String| o == k) {
                        out.push(k.to_string());
                    }
                }
                None => {
                    return Err(ControlError::DocumentNotAllowed {
                        session: self.id.clone(),
                        document: wanted.to_string(),
                    });
                }
            }
        }
        Ok(out)
    }

    pub fn snapshot(&self) -> SessionSnapshot {
        SessionSnapshot {
            id: self.id.clone(),
            kind: self.kind,
            state: self.state,
            requested_documents: self.requested.clone(),
            consented_documents: self.consented.clone(),
            status_polls: self.polls,
            created_at: ms_to_system_time(self.created_ms),
            updated_at: self.updated_ms.map(ms_to_system_time),
            expires_at: ms_to_system_time(self.expires_ms),
            redirect_url: self.redirect_url.clone(),
            authorization_url: self.authorization_url.clone(),
            eko_reference_id: self.eko.as_ref().map(|e| e.reference_id),
            eko_verification_id: self.eko.as_ref().map(|e| e.verification_id.clone()),
        }
    }
}

/// A copy of a session's state, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSnapshot {
    /// The session id: Sandbox's `session_id`/`id`, or Eko's `reference_id`
    /// as decimal text.
    pub id: String,
    /// Which API created it.
    pub kind: SessionKind,
    /// Its state.
    pub state: SessionState,
    /// Document types requested at creation (empty for EntityLocker init).
    pub requested_documents: Vec<String>,
    /// Document types the user consented to (set once succeeded).
    pub consented_documents: Vec<String>,
    /// Status calls received for this session.
    pub status_polls: u32,
    /// Creation time (simulator clock).
    pub created_at: SystemTime,
    /// Last state change (simulator clock).
    pub updated_at: Option<SystemTime>,
    /// When a pending session expires (simulator clock).
    pub expires_at: SystemTime,
    /// The caller's `redirect_url`, when the API takes one.
    pub redirect_url: Option<String>,
    /// The simulator's stand-in for the DigiLocker consent page: a browser
    /// shows a consent form; `?decision=approve|deny` scripts the choice (see
    /// the module docs).
    pub authorization_url: String,
    /// Eko `reference_id`.
    pub eko_reference_id: Option<i64>,
    /// Eko `verification_id` (appended to the redirect after consent).
    pub eko_verification_id: Option<String>,
}

/// Why a control call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlError {
    /// No session has this id (Sandbox session id, Eko reference id or Eko
    /// verification id).
    UnknownSession(String),
    /// The session already reached a final state.
    AlreadyFinal {
        /// The session.
        session: String,
        /// Its final state.
        state: SessionState,
    },
    /// The document type is unknown for this kind of session or was not
    /// requested.
    DocumentNotAllowed {
        /// The session.
        session: String,
        /// The document type given.
        document: String,
    },
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::UnknownSession(id) => write!(f, "no simulated session {id:?}"),
            ControlError::AlreadyFinal { session, state } => {
                write!(f, "session {session} is already {state}")
            }
            ControlError::DocumentNotAllowed { session, document } => write!(
                f,
                "document {document:?} is unknown or was not requested for session {session}"
            ),
        }
    }
}

impl std::error::Error for ControlError {}

/// A document file behind a pre-signed link.
pub(crate) struct StoredFile {
    pub content: Bytes,
    pub content_type: &'static str,
    pub created_ms: i64,
}

/// Sessions and files.
#[derive(Default)]
pub(crate) struct Store {
    pub sessions: HashMap<String, Session>,
    /// Eko verification ids to session ids.
    pub aliases: HashMap<String, String>,
    pub files: HashMap<String, StoredFile>,
    pub next_reference: i64,
}

impl Store {
    pub fn resolve_id(&self, id: &str) -> Option<String> {
        if self.sessions.contains_key(id) {
            Some(id.to_string())
        } else {
            self.aliases.get(id).cloned()
        }
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Session> {
        let key = self.resolve_id(id)?;
        self.sessions.get_mut(&key)
    }

    /// A session of `kind` by its id (a session of another kind is treated
    /// as unknown, as the provider scopes ids by API).
    pub fn get_kind_mut(&mut self, id: &str, kind: SessionKind) -> Option<&mut Session> {
        self.sessions.get_mut(id).filter(|s| s.kind == kind)
    }

    pub fn insert(&mut self, session: Session) {
        if let Some(e) = &session.eko {
            self.aliases
                .insert(e.verification_id.clone(), session.id.clone());
        }
        self.sessions.insert(session.id.clone(), session);
    }

    pub fn next_reference_id(&mut self) -> i64 {
        if self.next_reference == 0 {
            self.next_reference = 7_000_001;
        }
        let r = self.next_reference;
        self.next_reference += 1;
        r
    }

    /// Keep the file store bounded: drop links older than a day once it
    /// holds many files.
    pub fn add_file(&mut self, token: String, file: StoredFile, now: i64) {
        if self.files.len() >= 50_000 {
            self.files
                .retain(|_, f| now.saturating_sub(f.created_ms) < 24 * 3600 * 1000);
        }
        self.files.insert(token, file);
    }
}

/// Everything the request handlers share.
pub(crate) struct Shared {
    pub config: Config,
    pub clock: Clock,
    pub store: Mutex<Store>,
    pub faults: Mutex<super::faults::FaultSet>,
    pub records: Mutex<super::records::Records>,
    pub base_url: String,
    pub token_key: [u8; 32],
    pub file_key: [u8; 32],
    pub eko_signer: Signer,
}

impl Shared {
    pub fn new(config: Config, base_url: String) -> Self {
        let mut rng = fastrand::Rng::new();
        let mut token_key = [0u8; 32];
        let mut file_key = [0u8; 32];
        rng.fill(&mut token_key);
        rng.fill(&mut file_key);
        let eko_signer = Signer::new(&config.eko_access_key);
        let max_records = config.max_records;
        let max_record_bytes = config.max_record_bytes;
        Shared {
            config,
            clock: Clock::default(),
            store: Mutex::new(Store::default()),
            faults: Mutex::new(super::faults::FaultSet::default()),
            records: Mutex::new(super::records::Records::new(max_records, max_record_bytes)),
            base_url,
            token_key,
            file_key,
            eko_signer,
        }
    }
}

/// A random UUID-like identifier (version 4 layout).
pub(crate) fn uuid_like() -> String {
    let mut b = [0u8; 16];
    fastrand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(kind: SessionKind) -> Session {
        Session {
            id: "s".into(),
            kind,
            state: SessionState::Created,
            requested: vec!["aadhaar".into(), "pan".into()],
            consented: vec![],
            polls: 0,
            created_ms: 1_000,
            updated_ms: None,
            expires_ms: 10_000,
            redirect_url: None,
            authorization_url: String::new(),
            eko: None,
        }
    }

    #[test]
    fn uuid_like_shape() {
        let u = uuid_like();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn wire_mapping() {
        assert_eq!(
            SessionState::Denied.sandbox_wire(SessionKind::DigiLocker),
            "failed"
        );
        assert_eq!(
            SessionState::Authorized.sandbox_wire(SessionKind::DigiLocker),
            "created"
        );
        assert_eq!(
            SessionState::Authorized.sandbox_wire(SessionKind::DigiLockerSdk),
            "authorized"
        );
    }

    #[test]
    fn expiry_and_timed_approval() {
        let mut cfg = Config::default();
        let mut s = session(SessionKind::DigiLocker);
        s.refresh(9_999, &cfg);
        assert_eq!(s.state, SessionState::Created);
        s.refresh(10_000, &cfg);
        assert_eq!(s.state, SessionState::Expired);

        cfg.auto_approve_after = Some(Duration::from_millis(500));
        let mut s = session(SessionKind::DigiLocker);
        s.refresh(1_499, &cfg);
        assert_eq!(s.state, SessionState::Created);
        s.refresh(20_000, &cfg);
        assert_eq!(s.state, SessionState::Succeeded);
        assert_eq!(s.consented, vec!["aadhaar", "pan"]);
    }

    #[test]
    fn poll_approval_walks_sdk_states() {
        let cfg = Config {
            auto_approve_after_polls: Some(3),
            ..Config::default()
        };
        let mut s = session(SessionKind::DigiLockerSdk);
        s.poll(2_000, &cfg);
        assert_eq!(s.state, SessionState::Initialized);
        s.poll(2_000, &cfg);
        assert_eq!(s.state, SessionState::Authorized);
        s.poll(2_000, &cfg);
        assert_eq!(s.state, SessionState::Succeeded);
    }

    #[test]
    fn documents_must_be_requested() {
        let s = session(SessionKind::DigiLocker);
        assert_eq!(s.check_documents(&["PAN"]).unwrap(), vec!["pan"]);
        assert!(s.check_documents(&["driving_license"]).is_err());
        assert!(s.check_documents(&["passport"]).is_err());
    }
}
