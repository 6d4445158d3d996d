//! The vocabulary both providers, the flow and the CLI share: one
//! date-of-birth type and its readers, one photo type, one address by part,
//! and the `open_enum!` pattern for provider enums that must survive values
//! this version does not know.

use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A string enum of a provider, open to values this version does not know
/// (kept as `Unknown(String)`, as sent), with its wire names.
///
/// The plain form derives `FromStr` (infallible). After the variants, an
/// enum may name its unknown variant and a normalising function applied to
/// the input before it is matched (the normalised text is what the unknown
/// variant keeps); that form leaves `FromStr` to the enum, so it can refuse
/// input:
///
/// ```ignore
/// open_enum! {
///     Kind { A => "A" }
///     unknown: /// Docs of the unknown variant.
///         Other,
///     normalise: |s: &str| s.trim().to_ascii_uppercase(),
/// }
/// ```
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $crate::vocab::open_enum! {
            @enum [$(#[$meta])*] $name
            [$( [$(#[$vmeta])*] $variant => $wire ),+]
            [#[doc = " A value this version of the crate does not know, kept as sent."]] Unknown,
            str::to_string
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
        unknown: $(#[$umeta:meta])* $unknown:ident,
        normalise: $norm:expr $(,)?
    ) => {
        $crate::vocab::open_enum! {
            @enum [$(#[$meta])*] $name
            [$( [$(#[$vmeta])*] $variant => $wire ),+]
            [$(#[$umeta])*] $unknown,
            $norm
        }
    };
    (
        @enum [$(#[$meta:meta])*] $name:ident
        [$( [$(#[$vmeta:meta])*] $variant:ident => $wire:literal ),+]
        [$(#[$umeta:meta])*] $unknown:ident,
        $norm:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            $(#[$umeta])*
            $unknown(String),
        }

        impl $name {
            /// Every value this version knows, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::$unknown(s) => s,
                }
            }

            /// Whether this is a value the crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::$unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                let norm: fn(&str) -> String = $norm;
                let s = norm(s);
                match s.as_str() {
                    $( $wire => $name::$variant, )+
                    _ => $name::$unknown(s),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use open_enum;

/// A date of birth as sent (epoch milliseconds or `DD/MM/YYYY` text) and as
/// a calendar date when it could be read.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DateOfBirth {
    /// The value as sent (a number is kept in decimal).
    pub raw: String,
    /// The date; `None` when the value could not be read.
    pub date: Option<NaiveDate>,
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data: show only that it is there and whether it parsed.
        f.debug_struct("DateOfBirth")
            .field("raw", &"[masked]")
            .field("parsed", &self.date.is_some())
            .finish()
    }
}

impl DateOfBirth {
    /// Read only the forms Eko documents, `DD-MM-YYYY` and `YYYY-MM-DD`
    /// (exactly two-digit day and month); anything else keeps
    /// `date: None`. Never fails.
    pub fn from_documented_text(raw: &str) -> Self {
        let t = raw.trim();
        let b = t.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let date = if b.len() != 10 {
            None
        } else if b[2] == b'-' && b[5] == b'-' && digits(0..2) && digits(3..5) && digits(6..10) {
            NaiveDate::parse_from_str(t, "%d-%m-%Y").ok()
        } else if b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10) {
            NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
        } else {
            None
        };
        DateOfBirth {
            raw: raw.to_string(),
            date,
        }
    }

    /// Read a text date: `DD/MM/YYYY`, `DD-MM-YYYY`, ISO `YYYY-MM-DD`, or a
    /// string of digits taken as epoch milliseconds.
    pub fn from_text(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let t = raw.trim();
        let date = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() > 8 {
            t.parse::<i64>().ok().and_then(date_from_epoch_ms)
        } else {
            parse_date_text(t)
        };
        DateOfBirth { raw, date }
    }

    /// Read epoch milliseconds, as a date in India Standard Time (UTC+05:30).
    pub fn from_epoch_ms(ms: i64) -> Self {
        DateOfBirth {
            raw: ms.to_string(),
            date: date_from_epoch_ms(ms),
        }
    }
}

/// A text date in any form the providers use: `DD/MM/YYYY`, `DD-MM-YYYY`,
/// ISO `YYYY-MM-DD` or an RFC 3339 timestamp (its date).
pub(crate) fn parse_date_text(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .or_else(|| DateTime::parse_from_rfc3339(t).ok().map(|d| d.date_naive()))
}

fn date_from_epoch_ms(ms: i64) -> Option<NaiveDate> {
    let ist = FixedOffset::east_opt(5 * 3600 + 30 * 60)?;
    DateTime::from_timestamp_millis(ms).map(|d| d.with_timezone(&ist).date_naive())
}

/// The photograph on a document. `Debug` never prints it: it shows the
/// byte count (or, for a link, only its host).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Photo {
    /// Decoded image bytes (Eko sends base64 JPEG).
    Inline(Vec<u8>),
    /// A link to the image.
    Link(String),
    /// Text that is neither a link nor valid base64, kept as sent.
    Unreadable(String),
}

impl Photo {
    /// Interpret Eko's `photo` / `photo_link` value.
    pub fn parse(value: &str) -> Option<Photo> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        if v.starts_with("http://") || v.starts_with("https://") {
            return Some(Photo::Link(v.to_string()));
        }
        let data = match v.find(";base64,") {
            Some(i) if v.starts_with("data:") => &v[i + 8..],
            _ => v,
        };
        let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        );
        Some(match engine.decode(compact.as_bytes()) {
            Ok(bytes) => Photo::Inline(bytes),
            Err(_) => Photo::Unreadable(v.to_string()),
        })
    }

    /// The image bytes, when inline.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Photo::Inline(b) => Some(b),
            _ => None,
        }
    }

    /// The link, when the photo is one.
    pub fn link(&self) -> Option<&str> {
        match self {
            Photo::Link(l) => Some(l),
            _ => None,
        }
    }
}

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Photo::Inline(b) => write!(f, "Photo::Inline(<{} bytes>)", b.len()),
            Photo::Link(l) => write!(f, "Photo::Link(<link to {}>)", link_host(l)),
            Photo::Unreadable(s) => write!(f, "Photo::Unreadable(<{} chars>)", s.len()),
        }
    }
}

/// A photo serialises as its size only (`"<n> bytes"`); a link as the
/// host it points to, text that could not be read as its length.
impl serde::Serialize for Photo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Photo::Inline(b) => s.serialize_str(&format!("{} bytes", b.len())),
            Photo::Link(l) => s.serialize_str(&format!("link to {}", link_host(l))),
            Photo::Unreadable(t) => s.serialize_str(&format!("{} unreadable chars", t.len())),
        }
    }
}

fn link_host(l: &str) -> String {
    url::Url::parse(l)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// An address by part, in one vocabulary for both providers: Eko's two
/// shapes (`village_or_city`, `district`...; `vtc`, `dist`, `subdist`,
/// `po`...) and the attributes of DigiLocker's XML (Aadhaar `Poa`: `co`,
/// `house`, `lm`, `loc`, `vtc`, `pc`...; certificates: `line1`, `line2`,
/// `pin`...) fill the same fields.
///
/// `Debug` shows only which parts are set. Serialised, each set part by its
/// name here (`house`, ... `country`), parts under other names by theirs.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Address {
    /// Care-of line (`co`); left out of the address on one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care_of: Option<String>,
    /// House or flat (a certificate's `line1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub house: Option<String>,
    /// Street (a certificate's `line2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Landmark (`lm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landmark: Option<String>,
    /// Locality (`loc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Village, town or city (`village_or_city`, `vtc`, `city`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village_or_city: Option<String>,
    /// Post office (`po`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_office: Option<String>,
    /// Sub-district (`subdist`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_district: Option<String>,
    /// District (`district`, `dist`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// PIN code (`pincode`, `pc`, `pin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pincode: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Parts under names this crate does not map (or a second value for a
    /// part already set), by the provider's name.
    #[serde(flatten)]
    pub other: BTreeMap<String, String>,
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Address");
        d.field("care_of", &self.care_of.as_ref().map(|_| "[masked]"));
        for (name, v) in self.postal_parts() {
            d.field(name, &v.map(|_| "[masked]"));
        }
        d.field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Address {
    /// An address from parts by a provider's names (see the type's
    /// documentation); values are trimmed and empty ones dropped. A part
    /// under a name this crate does not map, or a second value for a part,
    /// is kept in [`other`](Self::other).
    pub fn from_parts<K: AsRef<str>, V: AsRef<str>>(
        parts: impl IntoIterator<Item = (K, V)>,
    ) -> Address {
        let mut a = Address::default();
        for (k, v) in parts {
            a.set(k.as_ref(), v.as_ref());
        }
        a
    }

    /// Set one part by a provider's name for it (see
    /// [`from_parts`](Self::from_parts)).
    pub fn set(&mut self, name: &str, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let slot = match name {
            "co" | "care_of" | "careof" => &mut self.care_of,
            "house" | "line1" => &mut self.house,
            "street" | "line2" => &mut self.street,
            "landmark" | "lm" => &mut self.landmark,
            "locality" | "loc" => &mut self.locality,
            "village_or_city" | "vtc" | "city" => &mut self.village_or_city,
            "post_office" | "po" => &mut self.post_office,
            "sub_district" | "subdist" => &mut self.sub_district,
            "district" | "dist" => &mut self.district,
            "state" => &mut self.state,
            "pincode" | "pc" | "pin" => &mut self.pincode,
            "country" => &mut self.country,
            _ => {
                self.other.insert(name.to_string(), value.to_string());
                return;
            }
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        } else {
            self.other.insert(name.to_string(), value.to_string());
        }
    }

    /// The postal parts (all but the care-of line and `other`), by name, in
    /// the order they are written on an envelope.
    pub fn postal_parts(&self) -> [(&'static str, Option<&str>); 11] {
        [
            ("house", self.house.as_deref()),
            ("street", self.street.as_deref()),
            ("landmark", self.landmark.as_deref()),
            ("locality", self.locality.as_deref()),
            ("village_or_city", self.village_or_city.as_deref()),
            ("post_office", self.post_office.as_deref()),
            ("sub_district", self.sub_district.as_deref()),
            ("district", self.district.as_deref()),
            ("state", self.state.as_deref()),
            ("pincode", self.pincode.as_deref()),
            ("country", self.country.as_deref()),
        ]
    }

    /// The set parts, comma separated, in postal order (house to country,
    /// then [`other`](Self::other)), each value once (locality, town and
    /// post office are often the same); the care-of line is left out.
    pub fn one_line(&self) -> String {
        let mut seen: Vec<&str> = Vec::new();
        let postal = self.postal_parts().into_iter().filter_map(|(_, v)| v);
        for v in postal.chain(self.other.values().map(String::as_str)) {
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(v)) {
                seen.push(v);
            }
        }
        seen.join(", ")
    }

    /// Whether no part is set.
    pub fn is_empty(&self) -> bool {
        self.care_of.is_none()
            && self.other.is_empty()
            && self.postal_parts().iter().all(|(_, v)| v.is_none())
    }
}

/// The wall clock a client reads: Sandbox for token expiry and
/// `consent_expiry`, Eko for `secret-key-timestamp`. Replaceable in tests
/// (and by the simulator, whose clock can be advanced). Cheap to clone.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(SystemTime::now))
    }

    /// A clock that reads `now`.
    pub fn from_fn(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// A clock that reads milliseconds since the Unix epoch from `now_ms`.
    pub fn from_millis_fn(now_ms: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        Clock(Arc::new(move || {
            UNIX_EPOCH + std::time::Duration::from_millis(now_ms())
        }))
    }

    /// The time now.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }

    /// Milliseconds since the Unix epoch now (0 before it).
    pub fn now_ms(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_dates_in_each_form_sandbox_and_eko_write() {
        let d = NaiveDate::from_ymd_opt(1990, 8, 15);
        for t in ["15-08-1990", "15/08/1990", "1990-08-15", " 15-08-1990 "] {
            assert_eq!(DateOfBirth::from_text(t).date, d, "{t}");
        }
        assert_eq!(DateOfBirth::from_text("31-02-1990").date, None);
    }

    #[test]
    fn both_providers_fill_the_same_address_parts() {
        // Aadhaar XML (`Poa`) names, Eko's flat shape, Eko's list shape.
        let xml = Address::from_parts([
            ("co", "D/O Ravi Verma"),
            ("house", "12"),
            ("street", "Lane 3"),
            ("lm", " "),
            ("loc", "Baner"),
            ("vtc", "Pune"),
            ("po", "Baner"),
            ("subdist", "Haveli"),
            ("dist", "Pune"),
            ("state", "Maharashtra"),
            ("pc", "411045"),
            ("country", "India"),
        ]);
        let flat = Address::from_parts([
            ("house", "12"),
            ("street", "Lane 3"),
            ("vtc", "Pune"),
            ("dist", "Pune"),
            ("pincode", "411045"),
        ]);
        let list = Address::from_parts([
            ("house", "12"),
            ("street", "Lane 3"),
            ("village_or_city", "Pune"),
            ("district", "Pune"),
            ("pincode", "411045"),
        ]);
        assert_eq!(flat, list);
        assert_eq!(xml.pincode.as_deref(), Some("411045"));
        assert_eq!(xml.landmark, None, "an empty part is dropped");
        assert_eq!(xml.care_of.as_deref(), Some("D/O Ravi Verma"));
        assert!(xml.other.is_empty());
        assert_eq!(
            xml.one_line(),
            "12, Lane 3, Baner, Pune, Haveli, Maharashtra, 411045, India",
            "postal order, each value once, no care-of line"
        );
        assert_eq!(flat.one_line(), "12, Lane 3, Pune, 411045");
        assert_eq!(
            serde_json::to_value(&flat).unwrap(),
            serde_json::json!({"house": "12", "street": "Lane 3", "village_or_city": "Pune",
                "district": "Pune", "pincode": "411045"})
        );
        let dbg = format!("{xml:?}{xml:#?}");
        for v in ["Ravi", "Lane 3", "Baner", "Pune", "411045"] {
            assert!(!dbg.contains(v), "{dbg}");
        }
        assert!(Address::default().is_empty() && !flat.is_empty());
    }

    #[test]
    fn certificate_lines_and_unmapped_parts() {
        let a = Address::from_parts([
            ("line1", "12 Lane 3"),
            ("line2", "Baner"),
            ("line3", "Near the school"),
            ("pin", "411045"),
            ("state", "Maharashtra"),
        ]);
        assert_eq!(a.house.as_deref(), Some("12 Lane 3"));
        assert_eq!(a.street.as_deref(), Some("Baner"));
        assert_eq!(
            a.other.get("line3").map(String::as_str),
            Some("Near the school")
        );
        assert_eq!(
            a.one_line(),
            "12 Lane 3, Baner, Maharashtra, 411045, Near the school"
        );
        assert_eq!(
            serde_json::to_value(&a).unwrap()["line3"],
            "Near the school"
        );
    }

    #[test]
    fn a_photo_serialises_as_its_size() {
        let p = Photo::Inline(vec![0xFF, 0xD8, 0xFF]);
        assert_eq!(serde_json::to_value(&p).unwrap(), "3 bytes");
        let l = Photo::Link("https://x.example/p.jpg?sig=1".into());
        assert_eq!(serde_json::to_value(&l).unwrap(), "link to x.example");
    }
}

/// The Verhoeff check used by Aadhaar: the last digit checks the others.
pub fn verhoeff_valid(digits: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut c = 0u8;
    for (i, b) in digits.bytes().rev().enumerate() {
        c = D[c as usize][P[i % 8][(b - b'0') as usize] as usize];
    }
    c == 0
}

/// The URL string is sent exactly as given, so the checks look at that
/// string, not at what a URL parser makes of it: the parser drops tabs and
/// line breaks and turns `\` into `/`, which the provider would receive
/// unchanged. Whitespace, control characters and backslashes are refused.
pub(crate) fn url_as_written(field: &'static str, url: &str) -> crate::Result<()> {
    if let Some(c) = url
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || *c == '\\')
    {
        return Err(crate::Error::invalid(
            field,
            format!(
                "must not contain {} (the URL is sent as written)",
                if c == '\\' {
                    "a backslash".to_string()
                } else {
                    format!("whitespace or control characters (U+{:04X})", c as u32)
                }
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod identifier_tests {
    use super::*;

    #[test]
    fn verhoeff_known_values() {
        // Standard test vectors: 236 has check digit 3.
        assert!(verhoeff_valid("2363"));
        assert!(!verhoeff_valid("2364"));
        // A 12-digit number built with a correct check digit.
        assert!(verhoeff_valid("234123412346"));
        assert!(!verhoeff_valid("234123412345"));
        assert!(!verhoeff_valid(""));
        assert!(!verhoeff_valid("12a4"));
    }
}
