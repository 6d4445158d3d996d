//! The simulator's consent page in a real browser: headless Chromium over
//! chromedriver opens a session's authorisation link, unticks one document,
//! approves, and lands on the caller's redirect URL; the simulator then
//! holds exactly the ticked documents as consented.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them);
//! without them the test fails rather than skips.

use digilocker_kyc::Provider;
use digilocker_kyc::flow::{DocType, Outcome};
use digilocker_kyc::simulator::{SessionState, Simulator};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const REDIRECT: &str = "https://app.example/kyc/done";

/// A chromedriver process, killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny loopback page for the browser to land on after an Eko consent:
/// answers every request with the same small HTML page.
async fn landing_page() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 8192];
                let mut seen = Vec::new();
                // Read the request head, then answer and close.
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                    if seen.len() > 65_536 {
                        return;
                    }
                }
                let body =
                    "<!doctype html><title>back</title><h1 id=\"landed\">Back at the app</h1>";
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Start chromedriver and wait (bounded) until it answers `/status` ready.
async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER} (install chromium-driver): {e}"));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = http
            .get(format!("{}/status", driver.url))
            .send()
            .await
            .ok()
            .map(|r| r.json::<serde_json::Value>());
        if let Some(body) = ready
            && let Ok(v) = body.await
            && v["value"]["ready"] == true
        {
            return driver;
        }
        assert!(Instant::now() < deadline, "chromedriver did not get ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_person_unticks_a_document_approves_and_lands_on_the_redirect() {
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium (see .ci/run)"
    );
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let session = kyc
        .start([DocType::Aadhaar, DocType::Pan], REDIRECT)
        .await
        .unwrap();

    let driver = start_driver().await;
    let profile = std::env::temp_dir().join(format!(
        "digilocker-kyc-chromium-{}-{}",
        std::process::id(),
        free_port()
    ));
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
                // The redirect target is the partner's (fictitious) host:
                // resolve nothing but loopback, so the browser never leaves
                // this machine and fails fast on app.example.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        },
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let browser = ClientBuilder::rustls()
        .expect("rustls connector")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a chromium session through chromedriver");

    browser.goto(&session.authorization_url).await.unwrap();
    // The page shows who is asking and both documents, ticked.
    let requester = browser.find(Locator::Id("requester")).await.unwrap();
    assert!(requester.text().await.unwrap().contains("app.example"));
    let aadhaar = browser
        .find(Locator::Css("input[name=documents][value=aadhaar]"))
        .await
        .unwrap();
    let pan = browser
        .find(Locator::Css("input[name=documents][value=pan]"))
        .await
        .unwrap();
    assert!(aadhaar.is_selected().await.unwrap());
    assert!(pan.is_selected().await.unwrap());
    // Opening the page changed nothing.
    assert_eq!(
        sim.session(&session.id).unwrap().state,
        SessionState::Created
    );

    pan.click().await.unwrap();
    assert!(!pan.is_selected().await.unwrap());
    browser
        .find(Locator::Id("approve"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let target = url::Url::parse(REDIRECT).unwrap();
    browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_url(&target)
        .await
        .expect("the browser is sent to the redirect URL");
    let snap = sim.session(&session.id).unwrap();
    assert_eq!(snap.state, SessionState::Succeeded);
    assert_eq!(snap.consented_documents, ["aadhaar"]);
    assert_eq!(
        kyc.status(&session).await.unwrap(),
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar]
        }
    );
    let docs = kyc.documents(&session).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.kind.clone()).collect::<Vec<_>>(),
        [DocType::Aadhaar]
    );

    // Eko: the browser lands on the app's (loopback) page with Eko's query
    // parameters appended to the redirect URL.
    let app = landing_page().await;
    let eko = sim.digilocker(Provider::Eko).unwrap();
    let e = eko
        .start([DocType::Aadhaar], &format!("{app}/eko/cb?tenant=7"))
        .await
        .unwrap();
    browser.goto(&e.authorization_url).await.unwrap();
    let requester = browser.find(Locator::Id("requester")).await.unwrap();
    assert!(requester.text().await.unwrap().contains("through Eko"));
    browser
        .find(Locator::Id("approve"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let landed = browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("landed"))
        .await
        .expect("the browser lands on the app's page");
    assert_eq!(landed.text().await.unwrap(), "Back at the app");
    let here = browser.current_url().await.unwrap();
    assert!(
        here.as_str().starts_with(&format!("{app}/eko/cb?")),
        "{here}"
    );
    let q: std::collections::HashMap<String, String> = here.query_pairs().into_owned().collect();
    let snap = sim.session(&e.id).unwrap();
    assert_eq!(q["tenant"], "7");
    assert_eq!(q["reference_id"], e.id);
    assert_eq!(
        Some(&q["verification_id"]),
        snap.eko_verification_id.as_ref()
    );
    assert_eq!(snap.state, SessionState::Succeeded);
    assert_eq!(snap.consented_documents, ["AADHAAR"]);

    let _ = browser.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    sim.shutdown().await;
}
