//! Downloading a document from the signed link a provider hands out:
//! through the crate's one retry loop, each attempt following redirects
//! under a strict rule, with no credentials on any hop (the link carries
//! its own), and the body capped. Used by
//! [`SandboxClient::download`](crate::sandbox::SandboxClient::download).

use crate::error::{Error, Provider, ProviderError, Result, TransportKind};
use crate::http::{MAX_ERROR_BODY, read_limited};
use crate::retry::RetryPolicy;
use crate::runtime;
use bytes::Bytes;

/// Download `link` (see `SandboxClient::download` for the rule).
pub(crate) async fn fetch(
    http: &reqwest::Client,
    link: &str,
    policy: &RetryPolicy,
    limit: u64,
) -> Result<Bytes> {
    if link.len() > MAX_LINK_LEN {
        return Err(Error::invalid(
            "url",
            format!(
                "the link is {} bytes, over the limit of {MAX_LINK_LEN}; nothing was sent",
                link.len()
            ),
        ));
    }
    let url = url::Url::parse(link)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| Error::invalid("url", "not an http(s) URL"))?;
    let request = http
        .get(url.clone())
        .build()
        .map_err(|_| Error::invalid("url", "not a URL a request can be made to"))?;
    // The one retry loop, each attempt following redirects under
    // the rule above, with no credentials (a signed link is its own).
    let result = runtime::execute_with(
        http,
        |r| get_following(http, r),
        request,
        "download_document",
        policy,
        &runtime::NoCredentials,
        // read_capped enforces the download limit itself.
        usize::MAX,
    )
    .await;
    if let Some(e) = runtime::take_raised() {
        return Err(e);
    }
    match result {
        Ok(resp) if resp.status().is_success() => read_capped(resp, limit).await,
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = read_limited(resp, MAX_ERROR_BODY).await.unwrap_or_default();
            Err(download_error(status, &body))
        }
        Err(e) => Err(crate::http::transport_error(Provider::Sandbox, e)),
    }
}

/// `GET link`, following redirects under the rule of
/// [`fetch`]. Returns the first response that is not
/// a redirect.
async fn get_following(
    http: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    match follow(http, request.url().clone()).await {
        Ok(resp) => Ok(resp),
        Err(Hop::Transport(e)) => Err(e),
        Err(Hop::Refused(e)) => {
            runtime::raise(e);
            Err(runtime::stand_in(http).await)
        }
    }
}

/// One download attempt: `GET link` and the redirects the rule allows.
async fn follow(
    http: &reqwest::Client,
    link: url::Url,
) -> std::result::Result<reqwest::Response, Hop> {
    let link = &link;
    let mut current = link.clone();
    let mut hops = 0usize;
    loop {
        // The shared client follows no redirect and sends no Referer;
        // nothing but the URL (and the User-Agent) is put on the request.
        let resp = http
            .get(current.clone())
            .send()
            .await
            .map_err(Hop::Transport)?;
        let status = resp.status();
        if !status.is_redirection() {
            return Ok(resp);
        }
        let code = status.as_u16();
        let refuse = |why: &str| {
            Hop::Refused(Error::Provider(Box::new(ProviderError::new(
                Provider::Sandbox,
                code,
                format!("document download redirect refused: {why}"),
            ))))
        };
        if !matches!(code, 301 | 302 | 303 | 307 | 308) {
            return Ok(resp);
        }
        if hops >= MAX_DOWNLOAD_REDIRECTS {
            return Err(refuse(&format!(
                "more than {MAX_DOWNLOAD_REDIRECTS} redirects"
            )));
        }
        let Some(location) = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Err(refuse("no usable Location"));
        };
        if location.len() > MAX_LINK_LEN {
            return Err(refuse("the Location is too long"));
        }
        let Ok(next) = current.join(location) else {
            return Err(refuse("the Location is not a URL"));
        };
        if let Err(why) = redirect_allowed(link, &current, &next) {
            return Err(refuse(why));
        }
        drop(resp);
        hops += 1;
        current = next;
    }
}

/// The longest document link (or redirect `Location`) accepted, in bytes.
/// Real pre-signed S3 links are well under 2 KiB; hyper itself cannot send
/// a URI of 64 KiB or more.
pub(crate) const MAX_LINK_LEN: usize = 16 * 1024;

/// The most redirects a document download follows.
pub(crate) const MAX_DOWNLOAD_REDIRECTS: usize = 3;

/// How one download attempt ended without a final response.
enum Hop {
    /// A redirect broke the rule (or another typed refusal): not retried.
    Refused(Error),
    /// The request did not complete.
    Transport(reqwest::Error),
}

/// Whether a loopback host: `127.0.0.0/8`, `::1` or `localhost`.
fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The redirect rule of [`fetch`]: may a download at
/// `current`, which started at `original`, go on to `next`? `Err` names
/// the broken rule (never the URL).
pub(crate) fn redirect_allowed(
    original: &url::Url,
    current: &url::Url,
    next: &url::Url,
) -> std::result::Result<(), &'static str> {
    if next.host_str().is_none() {
        return Err("the Location has no host");
    }
    match next.scheme() {
        "https" => Ok(()),
        "http" if current.scheme() == "https" => Err("a downgrade from https to http"),
        "http"
            if original.scheme() == "http"
                && is_loopback(original)
                && is_loopback(current)
                && is_loopback(next) =>
        {
            Ok(())
        }
        "http" => Err("a redirect to plain http"),
        _ => Err("a redirect to a scheme other than https"),
    }
}

/// Read a download body, failing once it exceeds `limit` bytes.
async fn read_capped(mut resp: reqwest::Response, limit: u64) -> Result<Bytes> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Error::TooLarge { limit });
    }
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if (buf.len() + chunk.len()) as u64 > limit {
                    return Err(Error::TooLarge { limit });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(Bytes::from(buf)),
            Err(e) => {
                return Err(Error::Transport {
                    provider: Provider::Sandbox,
                    kind: if e.is_timeout() {
                        TransportKind::Timeout
                    } else {
                        TransportKind::Io
                    },
                    may_have_been_sent: true,
                    source: Box::new(e.without_url()),
                });
            }
        }
    }
}

/// The error of a failed download: an expired link, or what S3 said.
fn download_error(status: u16, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&close)? + start;
        Some(text[start..end].trim().to_string())
    };
    let code = tag("Code");
    let message = tag("Message");
    let expired = matches!(status, 400 | 403)
        && (code.as_deref() == Some("AccessDenied")
            || code.as_deref() == Some("ExpiredToken")
            || text.contains("Request has expired"));
    if expired {
        return Error::LinkExpired { status };
    }
    let detail = match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c,
        (None, Some(m)) => m,
        (None, None) => reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("unexpected status")
            .to_string(),
    };
    Error::Provider(Box::new(ProviderError::new(
        Provider::Sandbox,
        status,
        format!("document download failed: {detail}"),
    )))
}

#[cfg(test)]
mod redirect_tests {
    use super::redirect_allowed;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn https_hops_are_allowed_and_downgrades_are_not() {
        let s3 = u("https://bucket.s3.amazonaws.com/a?X-Amz-Signature=x");
        assert!(redirect_allowed(&s3, &s3, &u("https://other.example/b")).is_ok());
        assert_eq!(
            redirect_allowed(&s3, &s3, &u("http://other.example/b")),
            Err("a downgrade from https to http")
        );
        // Even to loopback: an https link never goes on over http.
        assert!(redirect_allowed(&s3, &s3, &u("http://127.0.0.1/b")).is_err());
        for other in [
            "ftp://x.example/a",
            "file:///etc/passwd",
            "data:text/plain,x",
        ] {
            assert!(redirect_allowed(&s3, &s3, &u(other)).is_err(), "{other}");
        }
    }

    #[test]
    fn plain_http_is_only_for_loopback_links() {
        let local = u("http://127.0.0.1:8080/s3/a");
        assert!(redirect_allowed(&local, &local, &u("http://127.0.0.1:9090/b")).is_ok());
        assert!(redirect_allowed(&local, &local, &u("http://localhost:9090/b")).is_ok());
        assert!(redirect_allowed(&local, &local, &u("http://[::1]:9090/b")).is_ok());
        assert!(redirect_allowed(&local, &local, &u("https://127.0.0.1/b")).is_ok());
        assert_eq!(
            redirect_allowed(&local, &local, &u("http://evil.example/b")),
            Err("a redirect to plain http")
        );
        // Once on https, no way back to http, loopback or not.
        let up = u("https://127.0.0.1/b");
        assert!(redirect_allowed(&local, &up, &u("http://127.0.0.1/c")).is_err());
        // A remote http link may not redirect over http at all.
        let remote = u("http://files.example/a");
        assert!(redirect_allowed(&remote, &remote, &u("http://127.0.0.1/b")).is_err());
        assert!(redirect_allowed(&remote, &remote, &u("http://files.example/b")).is_err());
    }
}

// ---------------------------------------------------------------------
// Pure response mappings: generated response type in, facade type or typed
// error out. The operations above call them on the network path; the
// bytes-in decoders in `super::engine::decode` (and the fuzz targets) call
// the very same functions.
// ---------------------------------------------------------------------
