//! The simulated DigiLocker consent screen behind a session's authorisation
//! URL (`/simulator/authorize/{id}`).
//!
//! - A plain `GET` shows the page: who is asking, the requested documents as
//!   checkboxes (all ticked), and Approve / Deny buttons in a `POST` form. It
//!   changes nothing.
//! - The form's `POST` (`decision=approve|deny`, one `documents` field per
//!   ticked box) records the choice and answers **303** to the caller's
//!   `redirect_url` (Eko: with `verification_id` and `reference_id`
//!   appended, as Eko documents), or a 200 page for SDK sessions, which have
//!   no redirect.
//! - The scripted path for tests: `GET ...?decision=approve` (with
//!   `&docs=aadhaar,pan` for a subset; `?docs=...` alone also approves) or
//!   `?decision=deny` records the choice and answers **302** the same way.
//!   [`act_as_user`](super::act_as_user) uses it.
//! - An unknown session answers 404, an expired one 410. A session that
//!   already reached a final state is not changed; the page sends the user
//!   back to the redirect again.

use super::fixtures::doc_meta;
use super::pages::html;
use super::server::{Ctx, Reply};
use super::state::{Session, SessionKind, SessionState, Shared, lock};
use bytes::Bytes;

/// Escape text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the user chose.
enum Choice {
    /// Consent to these documents (empty: everything requested).
    Approve(Vec<String>),
    Deny,
}

/// `GET /simulator/authorize/{id}`: the page, or a scripted choice.
pub(crate) fn page(shared: &Shared, id: &str, ctx: &Ctx<'_>) -> Reply {
    let decision = ctx.query_param("decision");
    let docs: Vec<String> = ctx
        .query_param("docs")
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let choice = match decision.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("deny") => Some(Choice::Deny),
        Some("approve") => Some(Choice::Approve(docs)),
        None if !docs.is_empty() => Some(Choice::Approve(docs)),
        None => None,
        Some(_) => {
            return html(400, "Invalid decision", "decision must be approve or deny.");
        }
    };
    match choice {
        Some(c) => decide(shared, id, c, 302),
        None => show(shared, id),
    }
}

/// `POST /simulator/authorize/{id}`: the consent form's answer.
pub(crate) fn submit(shared: &Shared, id: &str, ctx: &Ctx<'_>) -> Reply {
    let mut decision = None;
    let mut docs = Vec::new();
    for (k, v) in url::form_urlencoded::parse(ctx.body) {
        match k.as_ref() {
            "decision" => decision = Some(v.to_ascii_lowercase()),
            "documents" => docs.push(v.into_owned()),
            _ => {}
        }
    }
    let choice = match decision.as_deref() {
        Some("approve") if docs.is_empty() => {
            return html(
                400,
                "No document selected",
                "Tick at least one document to approve, or deny the request.",
            );
        }
        Some("approve") => Choice::Approve(docs),
        Some("deny") => Choice::Deny,
        _ => {
            return html(
                400,
                "Invalid decision",
                "The form must send decision=approve or decision=deny.",
            );
        }
    };
    decide(shared, id, choice, 303)
}

/// Record a choice on a pending session and send the user on.
fn decide(shared: &Shared, id: &str, choice: Choice, redirect_status: u16) -> Reply {
    let now = shared.clock.now_ms();
    let mut store = lock(&shared.store);
    let Some(s) = store.get_mut(id) else {
        return unknown();
    };
    s.refresh(now, &shared.config);
    if s.state == SessionState::Expired {
        return expired();
    }
    if !s.state.is_final() {
        match choice {
            Choice::Deny => {
                s.state = SessionState::Denied;
                s.updated_ms = Some(now);
            }
            Choice::Approve(docs) => {
                let chosen = if docs.is_empty() {
                    s.default_consent()
                } else {
                    let wanted: Vec<&str> = docs.iter().map(String::as_str).collect();
                    match s.check_documents(&wanted) {
                        Ok(d) => d,
                        Err(e) => return html(400, "Invalid documents", &e.to_string()),
                    }
                };
                s.succeed(chosen, now);
            }
        }
    }
    let reply = send_on(s, redirect_status);
    drop(store);
    reply
}

/// Where the provider sends the user after the journey.
fn send_on(s: &Session, status: u16) -> Reply {
    let Some(redirect) = s.redirect_url.clone() else {
        return html(
            200,
            "Consent recorded",
            "The simulated DigiLocker journey is complete; you can close this window.",
        );
    };
    let location = match (&s.eko, s.kind) {
        (Some(eko), SessionKind::Eko) => match url::Url::parse(&redirect) {
            Ok(mut u) => {
                u.query_pairs_mut()
                    .append_pair("verification_id", &eko.verification_id)
                    .append_pair("reference_id", &eko.reference_id.to_string());
                u.to_string()
            }
            Err(_) => redirect,
        },
        _ => redirect,
    };
    Reply::with_body(status, "text/html; charset=utf-8", Bytes::new()).header("location", location)
}

fn unknown() -> Reply {
    html(404, "Unknown session", "This consent link is not valid.")
}

fn expired() -> Reply {
    html(410, "Link expired", "This consent link has expired.")
}

/// A document type's name as DigiLocker shows it, and its issuer.
fn label(doc: &str) -> (&'static str, &'static str) {
    let meta = doc_meta(&doc.to_ascii_lowercase());
    (meta.description, meta.issuer)
}

fn provider_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Eko => "Eko",
        SessionKind::DigiLocker | SessionKind::DigiLockerSdk => "Sandbox",
        SessionKind::EntityLocker | SessionKind::EntityLockerSdk => "Sandbox (EntityLocker)",
    }
}

/// The consent screen of a pending session (nothing changes on a GET).
fn show(shared: &Shared, id: &str) -> Reply {
    let now = shared.clock.now_ms();
    let mut store = lock(&shared.store);
    let Some(s) = store.get_mut(id) else {
        return unknown();
    };
    s.refresh(now, &shared.config);
    match s.state {
        SessionState::Expired => return expired(),
        state if state.is_final() => return send_on(s, 302),
        _ => {}
    }
    // Who is asking: the partner's app, known by the host it sends the user
    // back to, through the aggregator that created the session.
    let partner = s
        .redirect_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_else(|| "A partner app".to_string());
    let via = provider_name(s.kind);
    let valid_till = chrono::DateTime::from_timestamp_millis(s.expires_ms)
        .unwrap_or_default()
        .format("%d %b %Y, %H:%M UTC")
        .to_string();
    let mut items = String::new();
    for (i, doc) in s.default_consent().iter().enumerate() {
        let (name, issuer) = label(doc);
        items.push_str(&format!(
            "<li><label for=\"doc-{i}\"><input type=\"checkbox\" id=\"doc-{i}\" name=\"documents\" value=\"{v}\" checked> <strong>{n}</strong> <small>{iss}</small></label></li>\n",
            v = esc(doc),
            n = esc(name),
            iss = esc(issuer),
        ));
    }
    let action: String = url::form_urlencoded::byte_serialize(s.id.as_bytes()).collect();
    let body = format!(
        "<!doctype html>
<html lang=\"en\"><head><meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>DigiLocker consent (simulated)</title>
<style>body{{font-family:sans-serif;max-width:34em;margin:2em auto;padding:0 1em}}ul{{list-style:none;padding:0}}li{{margin:.6em 0}}button{{font-size:1em;padding:.5em 1.5em;margin-right:1em}}small{{color:#555;display:block;margin-left:1.6em}}</style>
</head><body>
<h1>DigiLocker</h1>
<p id=\"requester\"><strong>{partner}</strong> (through {via}) is requesting access to the following documents in your DigiLocker account.</p>
<form method=\"post\" action=\"/simulator/authorize/{action}\">
<fieldset><legend>Documents</legend>
<ul>
{items}</ul>
</fieldset>
<p>Purpose: Know Your Customer (KYC). Consent valid till {valid_till}.</p>
<p><button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button><button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></p>
</form>
<p><small>digilocker-kyc simulator: synthetic data, no real DigiLocker account is involved.</small></p>
</body></html>
",
        partner = esc(&partner),
        via = esc(via),
        valid_till = esc(&valid_till),
    );
    Reply::with_body(200, "text/html; charset=utf-8", body)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
