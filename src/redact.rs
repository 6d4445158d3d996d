//! Keeping secrets and personal data out of logs and `Debug` output.
//!
//! - [`Secret`] holds an API secret, key or token; `Debug` and `Display`
//!   print `[redacted]`, and only [`Secret::expose`] gives the value.
//! - [`Masked`] holds a personal identifier (Aadhaar, mobile); `Debug` and
//!   `Display` print it with all but the last four digits replaced by `X`.
//! - [`mask_sensitive`] masks personal identifiers, tokens and URL
//!   credentials inside free text; [`excerpt`] makes a bounded, masked
//!   excerpt of a response body for error messages.

use std::fmt;

/// A secret value (API key, secret, access key, token, signature).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Call only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

/// A personal identifier (Aadhaar number, mobile number, masked id) that is
/// shown masked in `Debug`, `Display` and when serialised (so JSON logs and
/// API responses built from this crate's types carry only the last four
/// characters). Deserialising keeps the full value; [`Masked::expose`]
/// gives it.
#[derive(Clone, PartialEq, Eq, Hash, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Masked(String);

impl serde::Serialize for Masked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

impl Masked {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Masked(value.into())
    }

    /// The value itself. Call only where it is needed in full.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form: all but the last four characters replaced by `X`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", mask(&self.0))
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(&self.0))
    }
}

/// Replace every alphanumeric character but the last four with `X`
/// (separators are kept). Values of four characters or fewer are masked
/// entirely.
pub fn mask(value: &str) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = if total > 4 { 4 } else { 0 };
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > total - keep { c } else { 'X' }
            } else {
                c
            }
        })
        .collect()
}

/// The default size of body excerpts in errors, in characters.
pub const EXCERPT_CHARS: usize = 300;

/// A bounded excerpt of a response body for error messages: at most
/// `max_chars` characters, passed through [`mask_sensitive`] (Aadhaar,
/// mobile, PAN and licence numbers masked, JWT-like tokens and base64 blobs
/// replaced), and control characters removed.
pub fn excerpt(body: &[u8], max_chars: usize) -> String {
    // Look at a little more than we show, so masking sees whole numbers.
    let window = &body[..body.len().min(max_chars * 4 + 64)];
    let text = String::from_utf8_lossy(window);
    let masked = mask_sensitive(&text);
    let mut out: String = masked
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max_chars)
        .collect();
    if masked.chars().count() > max_chars || window.len() < body.len() {
        out.push('…');
    }
    out
}

/// Mask personal data, tokens and URL credentials inside free text: the one
/// masking function of the crate (errors, logs, the CLI all use it).
///
/// Recognised wherever they stand (as a whole number, not inside a longer
/// run of digits), and masked with [`mask`] (all but the last four
/// characters replaced by `X`, separators kept):
///
/// - Aadhaar numbers: 12 digits, or 4-4-4 with single spaces or hyphens
///   (`2345 6789 0123`, `2345-6789-0123`, `aadhaar=234567890123`);
/// - Indian mobile numbers: 10 digits starting 6-9, optionally after `+91`,
///   `91` or `0` (with an optional space or hyphen after the prefix),
///   optionally written 5-5 with a space (`+91 98765 43210`);
/// - PAN: five letters, four digits, a letter (`AXBPK1234L`);
/// - driving licence numbers: two letters, two digits, an optional space or
///   hyphen, four digits (the year), an optional separator, seven digits
///   (`MH0220190001234`, `MH-02-2019-0001234`, `XX01 20200000001`).
///
/// JWT-like tokens become `[token]`, long base64 blobs `[blob]`, and the
/// `user:password@` of a URL is dropped. Everything else is kept as it is:
/// ISO timestamps, epoch milliseconds (13 digits), UUIDs, transaction ids
/// such as `TXN-20261203-000123`, HTTP statuses.
pub fn mask_sensitive(text: &str) -> String {
    mask_identifiers(&strip_userinfo(&mask_tokens(text)))
}

/// Characters of a token (JWT, base64 blob) for [`mask_tokens`].
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_' | '.')
}

/// Replace JWT-like tokens and long base64 blobs.
fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.starts_with("eyJ") && token.len() > 20 {
            out.push_str("[token]");
        } else if is_blob(token) {
            out.push_str("[blob]");
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// A long run that looks like base64 (upper and lower case letters and
/// digits, no `//` as in a URL).
fn is_blob(t: &str) -> bool {
    t.len() >= 64
        && !t.contains("//")
        && t.bytes().any(|b| b.is_ascii_uppercase())
        && t.bytes().any(|b| b.is_ascii_lowercase())
        && t.bytes().any(|b| b.is_ascii_digit())
}

/// Drop the `user:password@` part of every `scheme://user:password@host` in
/// the text.
pub fn strip_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(at) => rest = &tail[at + 1..],
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// A URL for display: scheme, host, port and path only (no user
/// information, query or fragment). Text that is not an absolute URL is
/// cut at its first `?` or `#`.
pub fn url_for_display(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut u) if u.has_host() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        _ => {
            let cut = url.find(['?', '#']).unwrap_or(url.len());
            strip_userinfo(&url[..cut])
        }
    }
}

/// An identifier as an issuer masked it (`XXXX-XXXX-2345`, `98XXXXXXXX`),
/// or masked with [`mask`] when it came in full. "Already masked" means it
/// has masking characters (`X`, `x`, `*`) and at most four others: a PAN
/// such as `AXBPK1234L` has an `X` and is still masked here.
pub fn mask_id(id: &str) -> String {
    let masking = |c: char| matches!(c, 'x' | 'X' | '*');
    let shown = id
        .chars()
        .filter(|c| c.is_alphanumeric() && !masking(*c))
        .count();
    if id.chars().any(masking) && shown <= 4 {
        id.to_string()
    } else {
        mask(id)
    }
}

/// Mask Aadhaar, mobile, PAN and driving licence numbers (see
/// [`mask_sensitive`]).
fn mask_identifiers(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        let at_word_start = i == 0 || !c[i - 1].is_alphanumeric();
        let at_digit_start = i == 0 || !c[i - 1].is_ascii_digit();
        if at_word_start && let Some(end) = uuid_at(&c, i) {
            out.extend(&c[i..end]);
            i = end;
            continue;
        }
        let found = if at_word_start {
            driving_licence_at(&c, i).or_else(|| pan_at(&c, i))
        } else {
            None
        }
        .or_else(|| {
            if at_digit_start {
                mobile_at(&c, i).or_else(|| aadhaar_at(&c, i))
            } else {
                None
            }
        });
        match found {
            Some(end) => {
                let s: String = c[i..end].iter().collect();
                out.push_str(&mask(&s));
                i = end;
            }
            None => {
                // Skip the rest of a word or digit run: matches start only
                // at its beginning.
                out.push(c[i]);
                i += 1;
                if c[i - 1].is_ascii_digit() {
                    while i < c.len() && c[i].is_ascii_digit() {
                        out.push(c[i]);
                        i += 1;
                    }
                }
            }
        }
    }
    out
}

/// `n` ASCII digits at `i`; the index after them.
fn digits(c: &[char], i: usize, n: usize) -> Option<usize> {
    (i + n <= c.len() && c[i..i + n].iter().all(char::is_ascii_digit)).then_some(i + n)
}

/// `n` ASCII letters at `i`; the index after them.
fn letters(c: &[char], i: usize, n: usize) -> Option<usize> {
    (i + n <= c.len() && c[i..i + n].iter().all(char::is_ascii_alphabetic)).then_some(i + n)
}

/// An optional single space or hyphen at `i`.
fn opt_sep(c: &[char], i: usize) -> usize {
    if i < c.len() && matches!(c[i], ' ' | '-') {
        i + 1
    } else {
        i
    }
}

/// Whether nothing alphanumeric follows `end` (the match is a whole word).
fn word_ends(c: &[char], end: usize) -> bool {
    end >= c.len() || !c[end].is_alphanumeric()
}

/// Whether no digit follows `end` (the match is a whole number).
fn number_ends(c: &[char], end: usize) -> bool {
    end >= c.len() || !c[end].is_ascii_digit()
}

fn hex(c: &[char], i: usize, n: usize) -> Option<usize> {
    (i + n <= c.len() && c[i..i + n].iter().all(char::is_ascii_hexdigit)).then_some(i + n)
}

/// A UUID (8-4-4-4-12 hex digits) at `i`.
fn uuid_at(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    for (k, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if k > 0 {
            if c.get(j) != Some(&'-') {
                return None;
            }
            j += 1;
        }
        j = hex(c, j, n)?;
    }
    word_ends(c, j).then_some(j)
}

/// `[A-Z]{5}[0-9]{4}[A-Z]` at `i`.
fn pan_at(c: &[char], i: usize) -> Option<usize> {
    let j = letters(c, i, 5)?;
    let j = digits(c, j, 4)?;
    let j = letters(c, j, 1)?;
    word_ends(c, j).then_some(j)
}

/// Two letters, two digits, `[ -]?`, four digits, `[ -]?`, seven digits
/// (a hyphen may also follow the letters: `MH-02-2019-0001234`).
fn driving_licence_at(c: &[char], i: usize) -> Option<usize> {
    let j = letters(c, i, 2)?;
    let j = if c.get(j) == Some(&'-') { j + 1 } else { j };
    let j = digits(c, j, 2)?;
    let j = opt_sep(c, j);
    let j = digits(c, j, 4)?;
    let j = opt_sep(c, j);
    let j = digits(c, j, 7)?;
    word_ends(c, j).then_some(j)
}

/// An Indian mobile number at `i`: `(+91|91|0)?[ -]?` then `[6-9]` and
/// nine digits, the ten optionally written 5-5 with a space.
fn mobile_at(c: &[char], i: usize) -> Option<usize> {
    let national = |j: usize| -> Option<usize> {
        if !matches!(c.get(j), Some('6'..='9')) {
            return None;
        }
        let k = digits(c, j, 5)?;
        if c.get(k) == Some(&' ')
            && let Some(end) = digits(c, k + 1, 5)
            && grouped_ends(c, end)
        {
            return Some(end);
        }
        let k = digits(c, k, 5)?;
        number_ends(c, k).then_some(k)
    };
    let starts_with = |p: &str| {
        let p: Vec<char> = p.chars().collect();
        c.len() >= i + p.len() && c[i..i + p.len()] == p[..]
    };
    for prefix in ["+91", "91", "0"] {
        if starts_with(prefix) {
            let j = i + prefix.chars().count();
            if let Some(end) = national(opt_sep(c, j)) {
                return Some(end);
            }
        }
    }
    national(i)
}

/// An Aadhaar number at `i`: 12 digits, or 4-4-4 with single spaces or
/// hyphens.
fn aadhaar_at(c: &[char], i: usize) -> Option<usize> {
    if let Some(end) = digits(c, i, 12)
        && number_ends(c, end)
    {
        return Some(end);
    }
    let j = digits(c, i, 4)?;
    if !matches!(c.get(j), Some(' ' | '-')) {
        return None;
    }
    let j = digits(c, j + 1, 4)?;
    if !matches!(c.get(j), Some(' ' | '-')) {
        return None;
    }
    let j = digits(c, j + 1, 4)?;
    grouped_ends(c, j).then_some(j)
}

/// Whether a number written in groups ends at `end`: no letter or digit
/// follows, nor a hyphen and a digit (`1234 5678 2026-12-03` is a number
/// and a date, not an Aadhaar number).
fn grouped_ends(c: &[char], end: usize) -> bool {
    word_ends(c, end)
        && !(c.get(end) == Some(&'-') && c.get(end + 1).is_some_and(char::is_ascii_digit))
}

/// Shows a string in `Debug` as `[N chars]` (never its content).
pub struct Elided<'a>(pub &'a str);

impl fmt::Debug for Elided<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} chars]", self.0.chars().count())
    }
}

/// Shows a value's `Debug` (plain or `{:#?}`) passed through
/// [`mask_sensitive`].
pub struct MaskedDebug<'a, T: ?Sized>(pub &'a T);

impl<T: fmt::Debug + ?Sized> fmt::Debug for MaskedDebug<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if f.alternate() {
            format!("{:#?}", self.0)
        } else {
            format!("{:?}", self.0)
        };
        f.write_str(&mask_sensitive(&s))
    }
}

/// Shows a URL without its query string, which can carry signatures, PKCE
/// verifiers and phone numbers.
pub(crate) struct UrlWithoutQuery<'a>(pub(crate) &'a str);

impl fmt::Debug for UrlWithoutQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = url_for_display(self.0);
        if self.0.contains('?') {
            write!(f, "\"{base}?…\"")
        } else {
            write!(f, "{base:?}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_debug_drops_the_query() {
        let s = format!(
            "{:?}",
            UrlWithoutQuery("https://b.example/f.xml?X-Amz-Signature=abc")
        );
        assert_eq!(s, "\"https://b.example/f.xml?…\"");
        let s = format!("{:?}", UrlWithoutQuery("https://u:p@b.example/f.xml"));
        assert_eq!(s, "\"https://b.example/f.xml\"");
    }

    #[test]
    fn mask_keeps_last_four() {
        assert_eq!(mask("123456789012"), "XXXXXXXX9012");
        assert_eq!(mask("9687205427"), "XXXXXX5427");
        assert_eq!(mask("1234"), "XXXX");
        assert_eq!(mask("XXXX-XXXX-2345"), "XXXX-XXXX-2345");
    }

    #[test]
    fn masked_serialises_masked_and_deserialises_in_full() {
        let m: Masked = serde_json::from_str("\"9687205427\"").unwrap();
        assert_eq!(m.expose(), "9687205427");
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"XXXXXX5427\"");
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("secret_live_abc");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s.expose(), "secret_live_abc");
    }

    #[test]
    fn excerpt_masks_and_bounds() {
        let body =
            br#"{"aadhaar_number":"123456789012","token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig"}"#;
        let e = excerpt(body, 300);
        assert!(!e.contains("123456789012"), "{e}");
        assert!(e.contains("XXXXXXXX9012"), "{e}");
        assert!(!e.contains("eyJhbGci"), "{e}");
        let long = vec![b'a'; 10_000];
        assert!(excerpt(&long, 50).chars().count() <= 51);
    }

    #[test]
    fn identifiers_in_every_writing_are_masked() {
        for (input, want) in [
            ("uid 234567890123.", "uid XXXXXXXX0123."),
            ("2345 6789 0123", "XXXX XXXX 0123"),
            ("2345-6789-0123", "XXXX-XXXX-0123"),
            ("aadhaar=234567890123&x=1", "aadhaar=XXXXXXXX0123&x=1"),
            ("call 9876543210", "call XXXXXX3210"),
            ("+919876543210", "+XXXXXXXX3210"),
            ("+91 98765 43210", "+XX XXXXX X3210"),
            ("+91-9876543210", "+XX-XXXXXX3210"),
            ("09876543210", "XXXXXXX3210"),
            ("0 98765 43210", "X XXXXX X3210"),
            ("98765 43210", "XXXXX X3210"),
            ("PAN AXBPK1234L ok", "PAN XXXXXX234L ok"),
            ("dl XX01 20200000001", "dl XXXX XXXXXXX0001"),
            ("MH0220190001234", "XXXXXXXXXXX1234"),
            ("MH-02-2019-0001234", "XX-XX-XXXX-XXX1234"),
            (
                "initiator_id=9876543210&reference_id=7000001",
                "initiator_id=XXXXXX3210&reference_id=7000001",
            ),
        ] {
            assert_eq!(mask_sensitive(input), want, "{input}");
        }
    }

    #[test]
    fn non_personal_numbers_are_kept() {
        for s in [
            "created_at: 2026-12-03T15:36:12Z",
            "at 2026-12-03 15:36:12 (1764775000123 ms)",
            "session d3f8897e-0000-4000-8000-000000000001 done",
            "transaction TXN-20261203-000123",
            "Sandbox HTTP 503 (code 503)",
            "reference 7000001, 1234567890 is not a mobile",
            "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            assert_eq!(mask_sensitive(s), s);
        }
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            mask_sensitive("GET https://user:pa55@h.example/x?a=1 failed"),
            "GET https://h.example/x?a=1 failed"
        );
        assert_eq!(
            url_for_display("https://u:p@h.example:8443/f.xml?sig=abc#frag"),
            "https://h.example:8443/f.xml"
        );
        assert_eq!(url_for_display("/kyc/done?mobile=1"), "/kyc/done");
    }

    #[test]
    fn ids_with_an_x_are_still_masked() {
        assert_eq!(mask_id("AXBPK1234L"), "XXXXXX234L");
        assert_eq!(mask_id("XXXX-XXXX-2345"), "XXXX-XXXX-2345");
        assert_eq!(mask_id("98XXXXXXXX"), "98XXXXXXXX");
        assert_eq!(mask_id("234567890123"), "XXXXXXXX0123");
    }
}
