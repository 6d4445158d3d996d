//! Credentials stay home, failures are shared, deadlines are kept: each
//! attack reproduced against the real client, with hostile servers on
//! 127.0.0.1 started by the test.

use crate::common::typed;
use crate::sandbox_support;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;

use digilocker_kyc::flow::{DigiLocker, DocType, PollPolicy, Settled, poll_until};
use digilocker_kyc::sandbox::{Document, SandboxClient, SessionState, SessionStatus};
use digilocker_kyc::{Error, TransportKind};
use httpmock::prelude::*;
use sandbox_support::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------------------
// A raw loopback server that records every request head
// ---------------------------------------------------------------------------

/// What a [`raw_server`] saw.
#[derive(Clone, Default)]
struct Seen {
    /// Connections accepted (a request that reaches the socket at all).
    connections: Arc<AtomicUsize>,
    /// Every request head (request line and headers), as received.
    heads: Arc<Mutex<Vec<String>>>,
}

impl Seen {
    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A server on 127.0.0.1 that answers each request with what `respond`
/// returns for its head (a whole HTTP/1.1 response), or never answers when
/// it returns `None` (the connection is held open until the test ends).
async fn raw_server(
    respond: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Seen::default();
    let respond = Arc::new(respond);
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            s.connections.fetch_add(1, Ordering::SeqCst);
            let s = s.clone();
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 8192];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 256 * 1024 {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                s.heads.lock().unwrap().push(head.clone());
                match respond(&head) {
                    Some(resp) => {
                        let _ = sock.write_all(resp.as_bytes()).await;
                        let _ = sock.shutdown().await;
                    }
                    None => {
                        // Hold the connection open, never answering.
                        let _ = sock.read(&mut buf).await;
                        std::future::pending::<()>().await;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn redirect(status: u16, location: &str) -> String {
    format!(
        "HTTP/1.1 {status} Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

fn ok_body(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn json_response(status: u16, body: &serde_json::Value) -> String {
    let body = body.to_string();
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The path of a request head.
fn path_of(head: &str) -> &str {
    head.split(' ').nth(1).unwrap_or_default()
}

/// The header lines of a request head, lower-cased (the request line left
/// out).
fn header_lines(head: &str) -> Vec<String> {
    head.split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Fetch a document whose single file points at `url`, from a mocked
/// Sandbox API.
async fn document_at(server: &MockServer, sb: &SandboxClient, url: &str) -> Document {
    mock_auth(server, &TOKEN).await;
    server.digilocker_get_document(|when, then| {
        when.session_id(SESSION)
            .doc_type("aadhaar".parse().unwrap());
        then.ok(&typed(ok(json!({ "files": [{
                "@entity": "org.quicko.drive.file", "url": url, "size": 14,
            }] }))));
    });
    sb.document(SESSION, DocType::Aadhaar).await.unwrap()
}

const SIGNATURE: &str = "c2lnbmF0dXJlLXNlY3JldC0xMjM0NQ";

// ---------------------------------------------------------------------------
// 1. Download redirects
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_download_redirect_carries_no_referer_no_signed_query_and_no_credentials() {
    let (target, at_target) = raw_server(|_| Some(ok_body("<Certificate/>"))).await;
    let next = format!("{target}/elsewhere/file.xml");
    let (origin, at_origin) = raw_server(move |_| Some(redirect(302, &next))).await;
    let api = MockServer::start_async().await;
    let sb = client(&api);
    let link = format!("{origin}/s3/file.xml?X-Amz-Expires=3600&X-Amz-Signature={SIGNATURE}");
    let doc = document_at(&api, &sb, &link).await;

    let bytes = doc.files[0].download(&sb).await.unwrap();
    assert_eq!(&bytes[..], b"<Certificate/>");

    let origin_heads = at_origin.heads();
    assert_eq!(origin_heads.len(), 1, "{origin_heads:?}");
    assert!(path_of(&origin_heads[0]).contains(SIGNATURE));
    let target_heads = at_target.heads();
    assert_eq!(target_heads.len(), 1, "{target_heads:?}");
    assert_eq!(path_of(&target_heads[0]), "/elsewhere/file.xml");
    // The signed query goes nowhere but the origin: not in any header (a
    // Referer would carry it), not anywhere in the request.
    assert!(
        !target_heads[0].contains(SIGNATURE),
        "{:?}",
        target_heads[0]
    );
    for head in origin_heads.iter().chain(&target_heads) {
        let lines = header_lines(head);
        for banned in [
            "referer:",
            "authorization:",
            "x-api-key:",
            "x-api-secret:",
            "cookie:",
        ] {
            assert!(
                !lines.iter().any(|l| l.starts_with(banned)),
                "{banned} in {lines:?}"
            );
        }
        // Not the Sandbox key or token either, under any name.
        assert!(
            !head.contains(KEY) && !head.contains(TOKEN.as_str()),
            "{head}"
        );
    }
}

/// A chain of `n` redirects on one loopback server, `/hop/n` to `/hop/0`,
/// which serves the file.
async fn chain() -> (String, Seen) {
    raw_server(|head| {
        let path = path_of(head).to_string();
        let n: u32 = path
            .strip_prefix("/hop/")
            .and_then(|n| n.split('?').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Some(if n == 0 {
            ok_body("<Certificate/>")
        } else {
            redirect(307, &format!("/hop/{}", n - 1))
        })
    })
    .await
}

#[tokio::test]
async fn three_redirects_are_followed_and_a_fourth_is_refused() {
    let (base, seen) = chain().await;
    let api = MockServer::start_async().await;
    let sb = client(&api);

    let doc = document_at(
        &api,
        &sb,
        &format!("{base}/hop/3?X-Amz-Signature={SIGNATURE}"),
    )
    .await;
    assert_eq!(
        &doc.files[0].download(&sb).await.unwrap()[..],
        b"<Certificate/>"
    );
    assert_eq!(seen.heads().len(), 4);

    let api = MockServer::start_async().await;
    let sb = client(&api);
    let doc = document_at(
        &api,
        &sb,
        &format!("{base}/hop/4?X-Amz-Signature={SIGNATURE}"),
    )
    .await;
    let e = doc.files[0].download(&sb).await.unwrap_err();
    assert_eq!(e.http_status(), Some(307), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("more than 3 redirects"), "{text}");
    // The error names no URL: signed links are secrets.
    assert!(
        !text.contains(SIGNATURE) && !text.contains("/hop/"),
        "{text}"
    );
    assert!(!format!("{e:?}").contains(SIGNATURE));
    // 4 more requests (hop 4 to hop 1), the fourth redirect not followed
    // and not retried: /hop/0 was not asked again.
    let heads = seen.heads();
    assert_eq!(heads.len(), 8, "{heads:?}");
    assert_eq!(path_of(&heads[7]), "/hop/1");
}

#[tokio::test]
async fn a_redirect_from_loopback_to_a_remote_plain_http_host_is_refused_unsent() {
    let (origin, at_origin) =
        raw_server(|_| Some(redirect(302, "http://documents.invalid/x.xml"))).await;
    let api = MockServer::start_async().await;
    let sb = client(&api);
    let doc = document_at(
        &api,
        &sb,
        &format!("{origin}/s3/f.xml?X-Amz-Signature={SIGNATURE}"),
    )
    .await;
    let e = doc.files[0].download(&sb).await.unwrap_err();
    assert_eq!(e.http_status(), Some(302), "{e:?}");
    assert!(e.to_string().contains("plain http"), "{e}");
    assert!(!e.to_string().contains("documents.invalid"), "{e}");
    // Refused, not retried.
    assert_eq!(at_origin.heads().len(), 1);
}

// ---------------------------------------------------------------------------
// 5. An over-long link is refused before anything is sent
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_70_kb_link_is_invalid_input_and_nothing_is_sent() {
    let (base, seen) = raw_server(|_| Some(ok_body("x"))).await;
    let api = MockServer::start_async().await;
    let sb = client(&api);
    let link = format!("{base}/s3/f.xml?X-Amz-Signature={}", "a".repeat(70 * 1024));
    let doc = document_at(&api, &sb, &link).await;
    let e = doc.files[0].download(&sb).await.unwrap_err();
    match &e {
        Error::InvalidInput { field, reason } => {
            assert_eq!(*field, "url");
            assert!(reason.contains("nothing was sent"), "{reason}");
            assert!(reason.contains("16384"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!e.is_transient(), "a too-long link is not worth repeating");
    assert_eq!(seen.connections(), 0);
    assert!(seen.heads().is_empty());
}

// ---------------------------------------------------------------------------
// 3. A failing /authenticate is one failure episode
// ---------------------------------------------------------------------------

/// A Sandbox API whose `/authenticate` answers 500, but only once
/// `release` has a permit; every other path answers 200 (and should never
/// be reached).
async fn failing_auth_server(release: Arc<tokio::sync::Semaphore>) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Seen::default();
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            s.connections.fetch_add(1, Ordering::SeqCst);
            let s = s.clone();
            let release = release.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 8192];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                s.heads.lock().unwrap().push(head.clone());
                let resp = if path_of(&head) == "/authenticate" {
                    drop(release.acquire().await.unwrap());
                    json_response(500, &err(500, "Internal server error"))
                } else {
                    json_response(200, &json!({}))
                };
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_first_calls_against_a_failing_authenticate_share_one_episode() {
    const CALLERS: usize = 1000;
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let (base, seen) = failing_auth_server(release.clone()).await;
    let auth_hits = || {
        seen.heads()
            .iter()
            .filter(|h| path_of(h) == "/authenticate")
            .count()
    };
    let retry = fast_retries();
    let attempts = retry.max_attempts as usize; // 1 + configured retries
    let sb = SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(&base)
        .retry_policy(retry)
        .build()
        .unwrap();

    // The server holds the first answer until every caller has started
    // its call; a call runs without yielding until it queues for the
    // token, so all of them wait on the one fetch.
    let started = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (sb, started, release) = (sb.clone(), started.clone(), release.clone());
            tokio::spawn(async move {
                if started.fetch_add(1, Ordering::SeqCst) + 1 == CALLERS {
                    release.add_permits(1_000_000);
                }
                let result = sb.session_status(SESSION).await;
                (tokio::time::Instant::now(), result)
            })
        })
        .collect();
    // When the first caller had its answer: the failed fetch ended before
    // that, so the back-off is measured from no later than the failure
    // (however long collecting a thousand answers takes on a busy machine).
    let mut ended: Option<tokio::time::Instant> = None;
    for t in tasks {
        let (at, result) = t.await.unwrap();
        ended = Some(ended.map_or(at, |e| e.min(at)));
        let e = result.unwrap_err();
        assert!(
            matches!(&e, Error::Provider(p) if p.http_status == 500),
            "{e:?}"
        );
        assert!(e.to_string().contains("Internal server error"), "{e}");
    }
    let ended = ended.expect("a thousand callers");
    let hits = auth_hits();
    assert!((1..=attempts).contains(&hits), "{hits} /authenticate calls");
    assert_eq!(seen.heads().len(), hits, "no operation was sent");

    // The next call is a new episode, which starts only after the 1 s
    // back-off: had it fetched at once, the 500s would have answered
    // within milliseconds.
    let e = sb.session_status(SESSION).await.unwrap_err();
    assert_eq!(e.http_status(), Some(500), "{e:?}");
    let waited = ended.elapsed();
    assert!(waited >= Duration::from_millis(800), "waited {waited:?}");
    let after = auth_hits();
    assert!(
        after > hits && after <= hits + attempts,
        "{hits} then {after}"
    );
    assert_eq!(seen.heads().len(), after, "no operation was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn callers_during_the_back_off_share_the_next_episode_and_recover() {
    let api = MockServer::start_async().await;
    // The first fetch fails outright (a 200 without a token is not
    // retried); the next succeeds.
    let broken = api.authenticate(|_, then| {
        then.ok(&typed(json!({ "code": 200, "data": {} })));
    });
    broken.up_to_n_times_async(1).await;
    let good = mock_auth(&api, &TOKEN).await;
    let status = mock_status_ok(&api, &TOKEN).await;
    let sb = client(&api);
    let e = sb.session_status(SESSION).await.unwrap_err();
    assert!(matches!(e, Error::Decode { status: 200, .. }), "{e:?}");
    // 100 callers within the back-off: one new fetch, and all succeed.
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let sb = sb.clone();
            tokio::spawn(async move { sb.session_status(SESSION).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().status, SessionStatus::Created);
    }
    broken.assert_calls_async(1).await;
    good.assert_calls_async(1).await;
    status.assert_calls_async(100).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transport_failure_of_authenticate_is_shared_with_its_kind() {
    // Nothing listens: every caller gets the one connect failure.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let sb = SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(&base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let sb = sb.clone();
            tokio::spawn(async move { sb.session_status(SESSION).await })
        })
        .collect();
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert!(
            matches!(
                &e,
                Error::Transport {
                    kind: TransportKind::Connect,
                    may_have_been_sent: false,
                    ..
                }
            ),
            "{e:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// 4. A wait's time limit is a hard bound
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Polled(SessionState);

impl Settled for Polled {
    fn is_settled(&self) -> bool {
        self.0.status != SessionStatus::Created
    }
}

#[tokio::test]
async fn status_wait_against_a_server_that_never_answers_ends_at_its_limit() {
    // What `status --wait --timeout` runs: poll_until over session_status.
    let (base, seen) = raw_server(|_| None).await;
    let sb = SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(&base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let r = poll_until(
        &PollPolicy::fixed(Duration::from_millis(200), Duration::from_secs(1)),
        || async { sb.session_status(SESSION).await.map(Polled) },
        |_| {},
    )
    .await;
    let elapsed = started.elapsed();
    assert!(
        matches!(&r, Err(Error::WaitTimedOut { reason, .. }) if reason.contains("in flight")),
        "{r:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert!(elapsed >= Duration::from_secs(1), "took {elapsed:?}");
    // The request did reach the silent server (so it was a real hang).
    assert_eq!(seen.connections(), 1);
}

#[tokio::test]
async fn the_facade_wait_cuts_a_status_call_in_flight_at_the_limit() {
    let token = TOKEN.clone();
    let (base, seen) = raw_server(move |head| match path_of(head) {
        "/authenticate" => Some(json_response(
            200,
            &json!({ "code": 200, "data": { "access_token": token } }),
        )),
        "/kyc/digilocker/sessions/init" => Some(json_response(
            200,
            &ok(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.session.response",
                "authorization_url": "https://digilocker.example/authorize?x=1",
                "session_id": SESSION
            })),
        )),
        _ => None, // status: never answered
    })
    .await;
    let sb = SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(&base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let kyc = DigiLocker::sandbox(sb);
    let session = kyc
        .start([DocType::Aadhaar], "https://app.example/done")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let r = kyc
        .wait(
            &session,
            &PollPolicy::fixed(Duration::from_millis(200), Duration::from_secs(1)),
        )
        .await;
    let elapsed = started.elapsed();
    assert!(matches!(&r, Err(Error::WaitTimedOut { .. })), "{r:?}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    let heads = seen.heads();
    assert!(
        heads.iter().any(|h| path_of(h).ends_with("/status")),
        "{heads:?}"
    );
}
