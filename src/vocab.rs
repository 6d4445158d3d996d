//! The vocabulary both providers, the flow and the CLI share: one
//! date-of-birth type and its readers, one photo type, and the `open_enum!`
//! pattern for provider enums that must survive values this version does
//! not know.

use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDate};
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
            Photo::Link(l) => {
                let host = url::Url::parse(l)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| "?".into());
                write!(f, "Photo::Link(<link to {host}>)")
            }
            Photo::Unreadable(s) => write!(f, "Photo::Unreadable(<{} chars>)", s.len()),
        }
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
