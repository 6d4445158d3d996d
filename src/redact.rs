//! Keeping secrets and personal data out of logs and `Debug` output.
//!
//! - [`Secret`] holds an API secret, key or token; `Debug` and `Display`
//!   print `[redacted]`, and only [`Secret::expose`] gives the value.
//! - [`Masked`] holds a personal identifier (Aadhaar, mobile); `Debug` and
//!   `Display` print it with all but the last four digits replaced by `X`.
//! - [`excerpt`] makes a bounded, masked excerpt of a response body for error
//!   messages.

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
/// `max_chars` characters, with runs of 10 or more digits masked (Aadhaar,
/// mobile numbers), JWT-like tokens and base64 blobs replaced, and control
/// characters removed.
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

/// Mask personal data and tokens inside free text.
pub fn mask_sensitive(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.is_empty() {
            return;
        }
        let digits = token.chars().filter(|c| c.is_ascii_digit()).count();
        let all_digits = digits == token.len();
        if all_digits && token.len() >= 10 {
            out.push_str(&mask(token));
        } else if token.starts_with("eyJ") && token.len() > 20 {
            out.push_str("[token]");
        } else if token.len() >= 64 && !all_digits {
            out.push_str("[blob]");
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_' | '.') {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
