//! Clients aimed at a running simulator, and the simulated user.

use super::Simulator;
use crate::eko::EkoClient;
use crate::error::{Error, Provider, Result, TransportKind};
use crate::flow::{DigiLocker, DocType};
use crate::sandbox::SandboxClient;

/// What the simulated user does on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    /// Consent to every requested document.
    Approve,
    /// Consent to these documents only.
    ApproveOnly(Vec<DocType>),
    /// Refuse consent.
    Deny,
}

impl Simulator {
    /// A [`SandboxClient`] with this simulator's base URL and credentials.
    pub fn sandbox_client(&self) -> Result<SandboxClient> {
        let c = self.sandbox_credentials();
        SandboxClient::builder()
            .api_key(c.api_key)
            .api_secret(c.api_secret.expose())
            .base_url(self.sandbox_base_url())
            .build()
    }

    /// An [`EkoClient`] with this simulator's base URL and credentials.
    pub fn eko_client(&self) -> Result<EkoClient> {
        let c = self.eko_credentials();
        EkoClient::builder()
            .developer_key(c.developer_key)
            .access_key(c.access_key)
            .initiator_id(c.initiator_id)
            .user_code(c.user_code)
            .base_url(self.eko_base_url())
            .build()
    }

    /// A provider-neutral [`DigiLocker`] client for `provider`, aimed at this
    /// simulator.
    pub fn digilocker(&self, provider: Provider) -> Result<DigiLocker> {
        Ok(match provider {
            Provider::Sandbox => DigiLocker::sandbox(self.sandbox_client()?),
            Provider::Eko => DigiLocker::eko(self.eko_client()?),
        })
    }
}

/// Take `action` on a session's simulated consent page, through its
/// scripted path (`?decision=approve|deny`, `&docs=...`) rather than the
/// form a person would use. Returns the URL the browser is then redirected
/// to (the caller's `redirect_url`, with what the provider appends), or
/// `None` when the session has no redirect.
///
/// Works only with authorisation URLs issued by a [`Simulator`].
pub async fn act_as_user(authorization_url: &str, action: &UserAction) -> Result<Option<String>> {
    let mut url = url::Url::parse(authorization_url).map_err(|e| Error::InvalidInput {
        field: "authorization_url",
        reason: e.to_string(),
    })?;
    // The scripted path of the consent page: a plain GET only shows it.
    match action {
        UserAction::Approve => {
            url.query_pairs_mut().append_pair("decision", "approve");
        }
        UserAction::ApproveOnly(docs) => {
            let list: Vec<&str> = docs.iter().map(DocType::as_str).collect();
            url.query_pairs_mut()
                .append_pair("decision", "approve")
                .append_pair("docs", &list.join(","));
        }
        UserAction::Deny => {
            url.query_pairs_mut().append_pair("decision", "deny");
        }
    }
    let transport = |e: reqwest::Error| Error::Transport {
        provider: Provider::Sandbox,
        kind: TransportKind::Io,
        may_have_been_sent: true,
        source: Box::new(e),
    };
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(transport)?;
    let resp = browser.get(url).send().await.map_err(transport)?;
    let status = resp.status().as_u16();
    if (300..400).contains(&status) {
        return Ok(resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(String::from));
    }
    if status == 200 {
        return Ok(None);
    }
    let body = resp.bytes().await.unwrap_or_default();
    Err(Error::Decode {
        provider: Provider::Sandbox,
        status,
        message: "the simulated consent page refused the request".into(),
        excerpt: crate::redact::excerpt(&body, crate::redact::EXCERPT_CHARS),
    })
}
