//! An offline, stateful mock of the Sandbox and Eko DigiLocker APIs.
//!
//! Enabled by the `simulator` cargo feature. One [`Simulator`] serves both
//! providers on one loopback port: Sandbox at the root
//! ([`Simulator::sandbox_base_url`]) and Eko under a prefix
//! ([`Simulator::eko_base_url`], `http://127.0.0.1:PORT/ekoapi/v3`). It
//! speaks the wire format of the bundled specs in `openapi/` (paths,
//! `@entity` values, field names, envelopes), checks credentials, tokens and
//! signatures as the providers do, keeps sessions that tests drive to any
//! outcome, injects faults on demand and records every request.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use digilocker_kyc::simulator::{Fault, Simulator};
//! use std::time::Duration;
//!
//! let sim = Simulator::builder().auto_approve_after_polls(3).start().await?;
//! let base = sim.sandbox_base_url();           // http://127.0.0.1:PORT
//! let creds = sim.sandbox_credentials();       // key_test_... / secret_test_...
//! // ... run the code under test against `base` ...
//! sim.inject(Fault::status(503).path("/kyc/*/status").times(1));
//! assert_eq!(sim.request_count("POST", "/kyc/digilocker/sessions/init"), 0);
//! sim.shutdown().await;
//! # let _ = (base, creds); Ok(()) }
//! ```
//!
//! # Why hyper and not httpmock
//!
//! The crate's contract tests use httpmock, whose `respond_with` callbacks
//! are synchronous: a delay would block a runtime worker thread, and a
//! callback cannot close the connection without answering. The simulator
//! needs both (latency and dropped-connection faults), plus state shared
//! across requests, so it is a small hyper 1 server (HTTP/1.1, one tokio
//! task per connection). Latency is an async sleep; a dropped connection is
//! the service returning an error, on which hyper closes the socket without
//! writing a response. Handlers are synchronous functions over state behind
//! `std::sync::Mutex`es that are never held across an `.await`.
//!
//! # Routes
//!
//! | Method | Path | Operation |
//! |---|---|---|
//! | POST | `/authenticate` | `authenticate` (`x-api-key` + `x-api-secret`) |
//! | POST | `/kyc/digilocker/user/verify` | `digilocker_verify_user_account` |
//! | POST | `/kyc/digilocker/sessions/init` | `digilocker_initiate_session` |
//! | GET | `/kyc/digilocker/sessions/{id}/status` | `digilocker_get_session_status` |
//! | GET | `/kyc/digilocker/sessions/{id}/documents/{doc_type}` | `digilocker_get_document` |
//! | GET | `/kyc/digilocker/sessions/{id}/user/profile` | `digilocker_get_user_profile` |
//! | POST | `/kyc/digilocker-sdk/sessions/create` | `digilocker_sdk_create_session` |
//! | GET | `/kyc/digilocker-sdk/sessions/{id}/status` | `digilocker_sdk_get_session_status` |
//! | GET | `/kyc/digilocker-sdk/sessions/{id}/documents/{doc_type}` | `digilocker_sdk_get_document` |
//! | GET | `/kyc/digilocker-sdk/sessions/{id}/user/profile` | `digilocker_sdk_get_user_profile` |
//! | POST | `/kyc/entitylocker/sessions/init` | `entitylocker_initiate_session` |
//! | GET | `/kyc/entitylocker/sessions/{id}/status` | `entitylocker_get_session_status` |
//! | GET | `/kyc/entitylocker/sessions/{id}/documents/{doc_type}` | `entitylocker_get_document` |
//! | GET | `/kyc/entitylocker/sessions/{id}/entity` | `entitylocker_get_entity_details` |
//! | GET | `/kyc/entitylocker/sessions/{id}/user/profile` | `entitylocker_get_user_profile` |
//! | POST | `/kyc/entitylocker-sdk/sessions/create` | `entitylocker_sdk_create_session` |
//! | GET | `/kyc/entitylocker-sdk/sessions/{id}/status` | `entitylocker_sdk_get_session_status` |
//! | GET | `/kyc/entitylocker-sdk/sessions/{id}/documents/{doc_type}` | `entitylocker_sdk_get_document` |
//! | POST | `{eko}/tools/kyc/digilocker` | `create_digilocker_url` |
//! | GET | `{eko}/tools/kyc/digilocker/status` | `get_verification_status` |
//! | POST | `{eko}/tools/kyc/digilocker/document` | `get_document` |
//! | GET, POST | `/simulator/authorize/{id}` | stand-in for the DigiLocker consent page |
//! | GET | `/simulator/files/{token}/{name}?X-Amz-...` | "pre-signed" document links |
//! | GET | `/simulator/trust-anchor.pem` | the test-only root CA that signs the synthetic documents |
//! | * | `/simulator/sessions/...`, `/simulator/faults`, `/simulator/clock/...`, `/simulator/requests` | the control API (below) |
//!
//! # Sandbox behaviour
//!
//! - `/authenticate` issues a JWT-shaped token (`header.payload.signature`,
//!   base64url) whose JSON payload has `iat` and `exp` in seconds
//!   ([`SimulatorBuilder::token_lifetime`], default 24 h), in the
//!   `{code, timestamp, data: {access_token}, transaction_id}` envelope.
//!   Wrong key or secret: 401 `Invalid API key or secret`.
//! - Every other call needs `x-api-key` (the configured key) and the raw
//!   token in `authorization`: missing key or token → 401 `Unauthorized`;
//!   an expired token → 403 `Access token has expired`; anything else (a
//!   `Bearer ` prefix, a forged or foreign token) → 403 `Invalid access
//!   token`.
//! - Errors use `{code, timestamp, message, transaction_id}`; every answer
//!   carries `x-amzn-RequestId` equal to its `transaction_id`.
//! - Bodies are checked as the provider does: a body that is not a JSON
//!   object → 400 `Invalid request body`; missing or wrong `@entity`,
//!   `flow` not `signin|signup`, `redirect_url` not starting with
//!   `https://`, missing/empty/unknown `doc_types`, neither `aadhaar_number`
//!   nor `mobile` on verify (the `ANY_OF_REQUIRED` rule lifted from the
//!   spec), unknown fields on SDK create → 400 `Invalid request body:
//!   <detail>`. A present string that fails its pattern (`aadhaar_number`,
//!   `mobile`, `options.verified_mobile`) or a `consent_expiry` less than an
//!   hour ahead → **422** `Invalid <field>: ...`, following Sandbox's
//!   error guide ("values/flags are incorrect as per schema or pattern").
//!   Every body that passes is then decoded with the generated request type
//!   as a last gate.
//! - Unknown session → 521 `Data not found for: <id>` (ids are scoped by
//!   API: a DigiLocker session is unknown under `/kyc/digilocker-sdk/`);
//!   a document, profile or entity before success → 523 `Cannot get
//!   document due to invalid session lifecycle` (`user profile`, `entity
//!   details`); a document type not consented → 400 `Consent for pan not
//!   provided`; an unknown `doc_type` → 400 `Invalid doc_type: <x>`.
//! - Documents are `files[]` whose `url` points at the simulator
//!   (`/simulator/files/...`) with S3-style query parameters; the link
//!   expires after `X-Amz-Expires` ([`SimulatorBuilder::file_link_lifetime`],
//!   default 3600 s) and then answers 403 with an S3 `AccessDenied` XML
//!   body; a tampered signature answers 403 `SignatureDoesNotMatch`. Files
//!   are synthetic: Aadhaar XML (`Certificate/CertificateData/KycRes/
//!   UidData` with masked `uid`, `Poi`, `Poa`, a small JPEG in `Pht`), PAN
//!   and driving-licence XML, and small PDFs for EntityLocker.
//! - `verify` answers `user_exists: false` for numbers ending in `0000` and
//!   for `9999999999` (the documented example), `true` otherwise.
//!
//! # Eko behaviour
//!
//! - `developer_key` must equal the configured one, `secret-key-timestamp`
//!   must be within [`SimulatorBuilder::eko_timestamp_tolerance`] (default
//!   ±5 minutes) of the simulator's clock, and `secret-key` must verify with
//!   [`crate::eko::Signer::verify`]; otherwise HTTP **403** with a JSON body
//!   `{"status": 403, "message": "Forbidden: <reason>"}` (the real Eko may
//!   send an HTML page; the simulator says why).
//! - Business validation answers HTTP 200 with a non-zero `status`,
//!   `response_status_id` 1, `response_type_id` -1 and `invalid_params`:
//!   missing `initiator_id` (status 1), unknown initiator (status 319
//!   `Invalid Sender/Initiator`), wrong `user_code` (346), missing or long
//!   `client_ref_id`, documents other than `AADHAAR`, a `redirect_url` that is
//!   not an absolute http(s) URL (`response_status_id` 301, `Invalid redirect
//!   URL provided.`). A POST whose `content-type` is not JSON → 415; a body
//!   that is not a JSON object → 400.
//! - `reference_id` is an integer in responses (accepted as integer or text
//!   in requests); `verification_id` (`vrf_sim_...`) reaches the caller on
//!   the redirect after consent and in status responses, and in the create
//!   response only with [`SimulatorBuilder::eko_return_verification_id`].
//!
//! # Session states on the wire
//!
//! | State | Sandbox status (API / SDK) | Eko status call | Eko document call |
//! |---|---|---|---|
//! | created | `created` | HTTP 200, `status` 0, `response_status_id` -1, `user_details: {}`, `data.status: PENDING` | `status` 1, `response_status_id` 327 `Verification pending...` |
//! | initialized | `created` / `initialized` | as created | as created |
//! | authorized | `created` / `authorized` | as created | as created |
//! | succeeded | `succeeded` + `documents_consented` | `status` 0, `user_details` filled, `data.status: AUTHENTICATED` | `status` 0, `documents[]`, `verification_status: SUCCESS` |
//! | denied | `failed` (Sandbox has no `denied`) | `status` 1, `response_status_id` 1, `data.status: CONSENT_DENIED` | `status` 1, `data.status: CONSENT_DENIED` |
//! | expired | `expired` | `status` 1, `data.status: EXPIRED` | `status` 1, `data.status: EXPIRED` |
//! | failed | `failed` | `status` 1, `data.status: FAILED` | `status` 1, `data.status: FAILED` |
//!
//! Sessions move by the control API ([`Simulator::approve`],
//! [`Simulator::deny`], [`Simulator::expire`], [`Simulator::fail`],
//! [`Simulator::mark_initialized`], [`Simulator::mark_authorized`]), by
//! auto-approval ([`SimulatorBuilder::auto_approve_after_polls`],
//! [`SimulatorBuilder::auto_approve_after`]), by expiry
//! ([`SimulatorBuilder::session_lifetime`], or Sandbox's `consent_expiry`),
//! and by the user on the authorisation URL, `/simulator/authorize/{id}`.
//! A plain `GET` shows a page in the manner of DigiLocker's consent screen
//! (who is asking, the requested documents as ticked checkboxes, Approve and
//! Deny) and changes nothing; its form `POST`s the choice and answers 303 to
//! the caller's `redirect_url`. Tests script it instead with
//! `?decision=approve` (`&docs=aadhaar,pan` for a subset) or
//! `?decision=deny`, answered with 302 ([`act_as_user`] does this).
//! For Eko the redirect gets `verification_id` and `reference_id` appended,
//! as Eko documents; for Sandbox the `redirect_url` is used unchanged,
//! because Sandbox documents no callback parameters and its clients must
//! poll the status anyway. SDK sessions have no redirect URL: the page
//! answers 200 once the choice is made. An expired session's page answers
//! 410.
//!
//! Time-based behaviour reads the simulator's own clock, which tests move
//! with [`Simulator::advance_clock`] instead of sleeping.
//!
//! # Faults and records
//!
//! [`Simulator::inject`] takes a [`FaultRule`] (or a bare [`Fault`]): 429
//! with `Retry-After`, any status, latency, an HTML page, truncated JSON or
//! a dropped connection, for the next `n` requests matching a method and a
//! path glob, or at a seeded random rate. [`Simulator::requests`] returns a
//! [`RecordedRequest`] for everything received, including faulted and
//! dropped requests, with secrets masked.
//!
//! # Control API over HTTP
//!
//! The same listener serves a JSON control API, so that tests in any
//! language can do what Rust tests do with these methods (`digilocker
//! simulate --help` has curl examples):
//!
//! | Method | Path | Does |
//! |---|---|---|
//! | GET | `/simulator/sessions`, `/simulator/sessions/{id}` | [`Simulator::sessions`], [`Simulator::session`] |
//! | POST | `/simulator/sessions/{id}/approve` | [`Simulator::approve`]; optional body `{"documents": ["aadhaar", "pan"]}` |
//! | POST | `/simulator/sessions/{id}/deny`, `/expire`, `/fail`, `/mark_initialized`, `/mark_authorized` | [`Simulator::deny`] and the others |
//! | POST | `/simulator/faults` | [`Simulator::inject`]; body e.g. `{"fault": "status", "status": 503, "path": "/kyc/*/status", "times": 1}` → 201 `{"id": N}` |
//! | DELETE | `/simulator/faults`, `/simulator/faults/{id}` | [`Simulator::clear_faults`], [`Simulator::remove_fault`] |
//! | POST | `/simulator/clock/advance` | [`Simulator::advance_clock`]; body `{"seconds": 600}` |
//! | GET | `/simulator/clock` | [`Simulator::now`] |
//! | GET | `/simulator/requests` (`?method=POST&path=/kyc/*`) | [`Simulator::requests`] as JSON: `seq`, `method`, `path`, `query`, `headers` (masked as in [`RecordedRequest`]), `body_json`, `body_excerpt` (masked), `provider`, `operation`, `status`, `fault`, `elapsed_ms` |
//! | POST | `/simulator/requests/clear` | [`Simulator::clear_requests`] |
//!
//! `{id}` is a Sandbox session id, an Eko `reference_id` or an Eko
//! `verification_id`. A fault body names the fault as [`Fault::kind`] does
//! (`status`, `rate_limited`, `latency`, `html`, `truncated_json`,
//! `drop_connection`) with `status`, `retry_after_secs` or `delay_ms`, and
//! the rule's `method`, `path` (glob), `times`, `rate` and `seed`. Errors
//! are JSON `{"error": code, "message": text}`: 404 `unknown_session` (or
//! `not_found`), 400 `bad_request` / `document_not_allowed`, 409
//! `already_final`, 405 `method_not_allowed` with `Allow`. Control requests
//! are not recorded and no fault applies to them.
//!
//! # Limits
//!
//! The simulator stays bounded under abuse: a record keeps only a prefix of
//! its body ([`SimulatorBuilder::max_record_body_bytes`]) and the records
//! together a bounded size ([`SimulatorBuilder::max_record_bytes`],
//! [`SimulatorBuilder::max_records`]); a request head or body that stalls
//! is cut off ([`SimulatorBuilder::header_read_timeout`],
//! [`SimulatorBuilder::body_read_timeout`]); at most
//! [`SimulatorBuilder::max_connections`] connections are served at once and
//! the next ones get a `503`.
//!
//! All data is synthetic (see [`Persona`]): no real person's details are
//! served.

mod clients;
mod consent;
mod control;
mod eko;
mod faults;
mod fixtures;
mod pages;
mod records;
mod sandbox;
mod server;
mod state;

pub use clients::{UserAction, act_as_user};
pub use faults::{Fault, FaultId, FaultRule};
pub use fixtures::Persona;
pub use records::RecordedRequest;
pub use state::{ControlError, SessionKind, SessionSnapshot, SessionState};

use crate::redact::Secret;
use faults::glob_match;
use state::{Config, Shared, lock};
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Sandbox credentials the simulator accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxCredentials {
    /// `x-api-key` (a `key_test_` key).
    pub api_key: String,
    /// `x-api-secret`.
    pub api_secret: Secret,
}

/// Eko credentials the simulator accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EkoCredentials {
    /// `developer_key` header.
    pub developer_key: String,
    /// The access key that signs `secret-key`.
    pub access_key: Secret,
    /// `initiator_id` the simulator knows.
    pub initiator_id: String,
    /// `user_code` the simulator knows.
    pub user_code: String,
}

/// Where a running simulator listens and what it accepts; `Display` prints
/// it for a person, **including the synthetic secrets** (they are accepted
/// only by this simulator, and a person needs them to configure a client).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimulatorInfo {
    /// Base URL for Sandbox clients.
    pub sandbox_base_url: String,
    /// Base URL for Eko clients.
    pub eko_base_url: String,
    /// Sandbox credentials.
    pub sandbox: SandboxCredentials,
    /// Eko credentials.
    pub eko: EkoCredentials,
}

impl fmt::Display for SimulatorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Sandbox base URL:   {}", self.sandbox_base_url)?;
        writeln!(f, "  x-api-key:        {}", self.sandbox.api_key)?;
        writeln!(
            f,
            "  x-api-secret:     {}",
            self.sandbox.api_secret.expose()
        )?;
        writeln!(f, "Eko base URL:       {}", self.eko_base_url)?;
        writeln!(f, "  developer_key:    {}", self.eko.developer_key)?;
        writeln!(f, "  access key:       {}", self.eko.access_key.expose())?;
        writeln!(f, "  initiator_id:     {}", self.eko.initiator_id)?;
        write!(f, "  user_code:        {}", self.eko.user_code)
    }
}

/// Configures and starts a [`Simulator`].
#[derive(Clone)]
pub struct SimulatorBuilder {
    config: Config,
    addr: SocketAddr,
}

impl fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            config: Config::default(),
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        }
    }
}

impl SimulatorBuilder {
    /// Listen on this port of 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Listen on this address (default 127.0.0.1).
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.addr.set_ip(ip);
        self
    }

    /// Approve a pending session (with every requested document) on its
    /// `n`-th status call; SDK sessions read `initialized` on call `n-2`
    /// and `authorized` on call `n-1`. `0` approves at creation.
    pub fn auto_approve_after_polls(mut self, n: u32) -> Self {
        self.config.auto_approve_after_polls = Some(n);
        self
    }

    /// Approve a pending session this long after its creation (simulator
    /// clock), unless it expires first.
    pub fn auto_approve_after(mut self, delay: Duration) -> Self {
        self.config.auto_approve_after = Some(delay);
        self
    }

    /// Lifetime of Sandbox access tokens (default 24 h; zero issues tokens
    /// that are already expired).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// How long a session stays pending before it expires (default 1 h;
    /// Sandbox's `consent_expiry` overrides it per session).
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.session_lifetime = lifetime;
        self
    }

    /// Validity of document links (`X-Amz-Expires`, default 3600 s).
    pub fn file_link_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.file_link_lifetime = lifetime;
        self
    }

    /// How far `secret-key-timestamp` may be from the simulator's clock
    /// (default 5 minutes either way).
    pub fn eko_timestamp_tolerance(mut self, tolerance: Duration) -> Self {
        self.config.eko_timestamp_tolerance = tolerance;
        self
    }

    /// Also return `verification_id` (and `status: PENDING`) in Eko's create
    /// response, as some accounts see from the upstream (default off: Eko
    /// documents it only on the redirect).
    pub fn eko_return_verification_id(mut self, yes: bool) -> Self {
        self.config.eko_return_verification_id = yes;
        self
    }

    /// The Sandbox key and secret to accept.
    pub fn sandbox_credentials(mut self, api_key: &str, api_secret: &str) -> Self {
        self.config.sandbox_api_key = api_key.to_string();
        self.config.sandbox_api_secret = Secret::new(api_secret);
        self
    }

    /// The Eko credentials to accept.
    pub fn eko_credentials(
        mut self,
        developer_key: &str,
        access_key: &str,
        initiator_id: &str,
        user_code: &str,
    ) -> Self {
        self.config.eko_developer_key = developer_key.to_string();
        self.config.eko_access_key = Secret::new(access_key);
        self.config.eko_initiator_id = initiator_id.to_string();
        self.config.eko_user_code = user_code.to_string();
        self
    }

    /// The path prefix of the Eko API (default `/ekoapi/v3`, as on Eko's
    /// UAT host). Must start with `/` and not end with one.
    pub fn eko_prefix(mut self, prefix: &str) -> Self {
        let trimmed = prefix.trim_end_matches('/');
        self.config.eko_prefix = if trimmed.starts_with('/') {
            trimmed.to_string()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// The synthetic person behind every session.
    pub fn persona(mut self, persona: Persona) -> Self {
        self.config.persona = persona;
        self
    }

    /// Keep at most this many request records (oldest dropped first;
    /// default 100 000).
    pub fn max_records(mut self, n: usize) -> Self {
        self.config.max_records = n;
        self
    }

    /// Keep at most this many bytes of each request body in its record
    /// (default 8 KiB); [`RecordedRequest::body_len`] keeps the full length.
    pub fn max_record_body_bytes(mut self, n: usize) -> Self {
        self.config.max_record_body_bytes = n;
        self
    }

    /// Keep records of at most this total stored size (bodies, headers,
    /// paths and a fixed overhead per record; oldest dropped first;
    /// default 64 MiB). See [`Simulator::recorded_bytes`].
    pub fn max_record_bytes(mut self, n: usize) -> Self {
        self.config.max_record_bytes = n;
        self
    }

    /// Close a connection whose request head has not arrived within this
    /// time (default 30 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.header_read_timeout = timeout;
        self
    }

    /// Close a connection whose request body has not fully arrived within
    /// this time after its head (default 30 s); no answer is sent.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_read_timeout = timeout;
        self
    }

    /// Serve at most this many connections at once (default 1024). A
    /// connection beyond the cap is answered `503 Service Unavailable` in
    /// the envelope of the API its path belongs to and then closed; a small
    /// number of such answers run at once, and a connection beyond those
    /// gets a fixed `503` without its request being read. A client whose
    /// pool keeps idle connections open counts them too.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.config.max_connections = n.max(1);
        self
    }

    /// Bind and start serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(self.config, format!("http://{addr}")));
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(Simulator {
            shared,
            addr,
            shutdown: tx,
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server (in the background);
/// [`Simulator::shutdown`] stops it and waits.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl Simulator {
    /// Start with the defaults on 127.0.0.1 and a free port.
    pub async fn start() -> std::io::Result<Simulator> {
        SimulatorBuilder::default().start().await
    }

    /// A builder for the other settings.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// The PEM of the simulator's TEST-ONLY root CA, which signs every
    /// synthetic XML document (also served at `GET /simulator/trust-anchor.pem`).
    /// Use it as the trust anchor in tests; it authenticates nothing real.
    pub fn trust_anchor_pem(&self) -> &'static str {
        fixtures::TEST_ROOT_PEM
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the Sandbox API root.
    pub fn sandbox_base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// `http://127.0.0.1:PORT/ekoapi/v3`: the Eko API root.
    pub fn eko_base_url(&self) -> String {
        format!("{}{}", self.shared.base_url, self.shared.config.eko_prefix)
    }

    /// The Sandbox key and secret the simulator accepts.
    pub fn sandbox_credentials(&self) -> SandboxCredentials {
        SandboxCredentials {
            api_key: self.shared.config.sandbox_api_key.clone(),
            api_secret: self.shared.config.sandbox_api_secret.clone(),
        }
    }

    /// The Eko credentials the simulator accepts.
    pub fn eko_credentials(&self) -> EkoCredentials {
        let c = &self.shared.config;
        EkoCredentials {
            developer_key: c.eko_developer_key.clone(),
            access_key: c.eko_access_key.clone(),
            initiator_id: c.eko_initiator_id.clone(),
            user_code: c.eko_user_code.clone(),
        }
    }

    /// Base URLs and credentials together.
    pub fn info(&self) -> SimulatorInfo {
        SimulatorInfo {
            sandbox_base_url: self.sandbox_base_url(),
            eko_base_url: self.eko_base_url(),
            sandbox: self.sandbox_credentials(),
            eko: self.eko_credentials(),
        }
    }

    /// The user consents to `documents` (Sandbox `doc_types` such as
    /// `"aadhaar"`, or `"AADHAAR"` for Eko; case-insensitive). An empty list
    /// consents to everything requested. `session` is a Sandbox session id,
    /// an Eko `reference_id` or an Eko `verification_id`.
    pub fn approve(&self, session: &str, documents: &[&str]) -> Result<(), ControlError> {
        control::approve(&self.shared, session, documents)
    }

    /// The user refuses consent (Sandbox reads `failed`; Eko
    /// `CONSENT_DENIED`).
    pub fn deny(&self, session: &str) -> Result<(), ControlError> {
        control::settle(&self.shared, session, SessionState::Denied)
    }

    /// The session expires now.
    pub fn expire(&self, session: &str) -> Result<(), ControlError> {
        control::settle(&self.shared, session, SessionState::Expired)
    }

    /// The journey fails.
    pub fn fail(&self, session: &str) -> Result<(), ControlError> {
        control::settle(&self.shared, session, SessionState::Failed)
    }

    /// The SDK was opened (`initialized`; non-SDK sessions still read
    /// `created`).
    pub fn mark_initialized(&self, session: &str) -> Result<(), ControlError> {
        control::settle(&self.shared, session, SessionState::Initialized)
    }

    /// The user signed in to DigiLocker (`authorized`; non-SDK sessions
    /// still read `created`).
    pub fn mark_authorized(&self, session: &str) -> Result<(), ControlError> {
        control::settle(&self.shared, session, SessionState::Authorized)
    }

    /// A session's current state (after applying expiry and timed
    /// approval).
    pub fn session(&self, session: &str) -> Option<SessionSnapshot> {
        control::with_session(&self.shared, session, |s, _| Ok(s.snapshot())).ok()
    }

    /// Every session, oldest first.
    pub fn sessions(&self) -> Vec<SessionSnapshot> {
        control::sessions(&self.shared)
    }

    /// Add a fault rule (a bare [`Fault`] applies to every request until
    /// removed).
    pub fn inject(&self, rule: impl Into<FaultRule>) -> FaultId {
        lock(&self.shared.faults).add(rule.into())
    }

    /// Remove a fault rule; `false` if it was already spent or removed.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        lock(&self.shared.faults).remove(id)
    }

    /// Remove every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Everything received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.records).all()
    }

    /// The records with this method whose path matches `path_glob` (see
    /// [`FaultRule::path`] for the glob syntax).
    pub fn requests_to(&self, method: &str, path_glob: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && glob_match(path_glob, &r.path))
            .collect()
    }

    /// How many requests with this method matched `path_glob`.
    pub fn request_count(&self, method: &str, path_glob: &str) -> usize {
        lock(&self.shared.records)
            .all()
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && glob_match(path_glob, &r.path))
            .count()
    }

    /// The stored size of the records kept, as counted against
    /// [`SimulatorBuilder::max_record_bytes`].
    pub fn recorded_bytes(&self) -> usize {
        lock(&self.shared.records).stored_bytes()
    }

    /// Forget the records.
    pub fn clear_requests(&self) {
        lock(&self.shared.records).clear();
    }

    /// Move the simulator's clock forward: tokens, sessions and links
    /// expire, timed approvals happen and Eko timestamps age as if this much
    /// time had passed.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// The simulator's current time.
    pub fn now(&self) -> SystemTime {
        self.shared.clock.now()
    }

    /// Stop accepting connections, let open ones finish (up to 2 s) and
    /// wait for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serve until `signal` completes, then shut down.
    pub async fn run_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        self.shutdown().await;
    }
}

/// Run a simulator as a standalone server until Ctrl-C: start it, hand its
/// [`SimulatorInfo`] to `on_ready` (to print), then serve. For the
/// `digilocker simulate` command.
pub async fn run_until_ctrl_c(
    builder: SimulatorBuilder,
    on_ready: impl FnOnce(&SimulatorInfo),
) -> std::io::Result<()> {
    let sim = builder.start().await?;
    on_ready(&sim.info());
    sim.run_until(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
