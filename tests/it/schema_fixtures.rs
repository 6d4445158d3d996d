//! Schema-valid random fixtures for every generated response type.
//!
//! The generated types derive `schemars::JsonSchema`; this module walks the
//! schema each derives (objects with every required property and a random
//! subset of the optional ones (often null where nullable), enums, formats, integer ranges, arrays of
//! 0-3 items, `$ref`s into the root's definitions, nullable values) and
//! draws random JSON values that the schema accepts, with fixed seeds. Every
//! sample must
//!
//! - deserialise into the generated type: the schema and the decoder agree;
//! - decode through the generated rules' `decode_success` for its operation;
//! - go through the facade's decoder for that operation (the pure entry
//!   points of `digilocker_kyc::fuzzing`, status 200, the sample as body),
//!   or for the four Sandbox operations that have none, through the facade
//!   over an httpmock server answering with the generated mock's typed
//!   `ok()`, without a panic, giving a typed `Ok` or `Err`.
//!
//! The last test checks that every operation in the generated rules has a
//! response type here, so a new operation cannot be skipped silently.

use digilocker_kyc::fuzzing;
use digilocker_kyc::generated::{eko, sandbox};
use schemars::JsonSchema;
use schemars::schema::{
    InstanceType, RootSchema, Schema, SchemaObject, SingleOrVec, SubschemaValidation,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt::Debug;

/// Samples per response type through the pure decoders.
const SAMPLES: u64 = 300;
/// Samples per response type through the facade over HTTP (no pure entry
/// point for those operations).
const HTTP_SAMPLES: u64 = 40;

/// Draws one value.
type Draw = fn(&mut fastrand::Rng) -> Value;

/// Strings the decoder constrains beyond what the derived schema says: the
/// pattern newtypes typify generates derive `JsonSchema` as a plain, inlined
/// string, without their pattern. Keyed by property name; each draws a valid
/// value. A new one shows up as a sample that does not deserialise.
const CONSTRAINED: &[(&str, Draw)] = &[(
    // EntitylockerGetEntityDetailsResponseDataDateOfIncorporation: ^\d{2}/\d{2}/\d{4}$
    "date_of_incorporation",
    |rng| {
        json!(format!(
            "{:02}/{:02}/{:04}",
            rng.u32(1..=28),
            rng.u32(1..=12),
            rng.u32(1950..=2030)
        ))
    },
)];

/// Draws random JSON values valid against one root schema.
struct Gen<'a> {
    root: &'a RootSchema,
    rng: fastrand::Rng,
}

impl Gen<'_> {
    fn value(&mut self, schema: &Schema, depth: usize) -> Value {
        match schema {
            Schema::Bool(true) => self.any_scalar(),
            Schema::Bool(false) => panic!("a schema that accepts nothing"),
            Schema::Object(o) => self.object_schema(o, depth),
        }
    }

    fn any_scalar(&mut self) -> Value {
        match self.rng.u8(0..4) {
            0 => Value::Null,
            1 => json!(self.rng.bool()),
            2 => json!(self.rng.i64(-1000..1000)),
            _ => json!(self.string(0, 8)),
        }
    }

    fn object_schema(&mut self, o: &SchemaObject, depth: usize) -> Value {
        if let Some(r) = &o.reference {
            let name = r
                .strip_prefix("#/definitions/")
                .unwrap_or_else(|| panic!("unsupported $ref {r}"));
            let def = self
                .root
                .definitions
                .get(name)
                .unwrap_or_else(|| panic!("no definition {name}"));
            return self.value(def, depth + 1);
        }
        if let Some(c) = &o.const_value {
            return c.clone();
        }
        if let Some(values) = &o.enum_values {
            return values[self.rng.usize(..values.len())].clone();
        }
        if let Some(sub) = &o.subschemas {
            return self.subschemas(o, sub, depth);
        }
        let types: Vec<InstanceType> = match &o.instance_type {
            Some(SingleOrVec::Single(t)) => vec![**t],
            Some(SingleOrVec::Vec(v)) => v.clone(),
            None => return self.any_scalar(),
        };
        // Nullable: `[T, "null"]`; deep in the tree, prefer null to stop.
        let non_null: Vec<InstanceType> = types
            .iter()
            .copied()
            .filter(|t| *t != InstanceType::Null)
            .collect();
        if non_null.is_empty()
            || (types.contains(&InstanceType::Null) && (depth > 8 || self.rng.u8(0..4) == 0))
        {
            return Value::Null;
        }
        let t = non_null[self.rng.usize(..non_null.len())];
        self.typed(o, t, depth)
    }

    fn subschemas(&mut self, o: &SchemaObject, sub: &SubschemaValidation, depth: usize) -> Value {
        let pick = |g: &mut Self, options: &[Schema]| {
            let i = g.rng.usize(..options.len());
            g.value(&options[i], depth + 1)
        };
        if let Some(all) = &sub.all_of {
            // schemars wraps a documented $ref as `allOf: [$ref]`.
            assert_eq!(all.len(), 1, "allOf of several schemas is not drawn here");
            return self.value(&all[0], depth + 1);
        }
        if let Some(any) = &sub.any_of {
            return pick(self, any);
        }
        if let Some(one) = &sub.one_of {
            // Unit and data variants of an externally tagged enum; the
            // alternatives are disjoint by construction.
            return pick(self, one);
        }
        panic!("unsupported subschemas in {o:?}");
    }

    fn typed(&mut self, o: &SchemaObject, t: InstanceType, depth: usize) -> Value {
        match t {
            InstanceType::Null => Value::Null,
            InstanceType::Boolean => json!(self.rng.bool()),
            InstanceType::Integer => self.integer(o),
            InstanceType::Number => {
                let n = o.number.as_deref();
                let lo = n.and_then(|n| n.minimum).unwrap_or(-1e6);
                let hi = n.and_then(|n| n.maximum).unwrap_or(1e6);
                json!(lo + self.rng.f64() * (hi - lo))
            }
            InstanceType::String => self.string_schema(o),
            InstanceType::Array => {
                let a = o.array.as_deref();
                let min = a.and_then(|a| a.min_items).unwrap_or(0) as usize;
                let max = a
                    .and_then(|a| a.max_items)
                    .map_or(3, |m| m as usize)
                    .max(min);
                let n = if depth > 8 {
                    min
                } else {
                    self.rng.usize(min..=max.min(min + 3))
                };
                let items = a.and_then(|a| a.items.as_ref());
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    out.push(match items {
                        Some(SingleOrVec::Single(s)) => self.value(s, depth + 1),
                        Some(SingleOrVec::Vec(v)) => self.value(&v[i % v.len()], depth + 1),
                        None => self.any_scalar(),
                    });
                }
                if a.and_then(|a| a.unique_items) == Some(true) {
                    let mut seen = BTreeSet::new();
                    out.retain(|v| seen.insert(v.to_string()));
                }
                Value::Array(out)
            }
            InstanceType::Object => self.object(o, depth),
        }
    }

    fn integer(&mut self, o: &SchemaObject) -> Value {
        let n = o.number.as_deref();
        let (mut lo, mut hi) = match o.format.as_deref() {
            Some("uint8") => (0, u8::MAX as i64),
            Some("uint16") => (0, u16::MAX as i64),
            Some("uint32") | Some("uint") => (0, u32::MAX as i64),
            Some("uint64") => (0, i64::MAX),
            Some("int8") => (i8::MIN as i64, i8::MAX as i64),
            Some("int16") => (i16::MIN as i64, i16::MAX as i64),
            Some("int32") => (i32::MIN as i64, i32::MAX as i64),
            _ => (i64::MIN, i64::MAX),
        };
        if let Some(min) = n.and_then(|n| n.minimum) {
            lo = lo.max(min.ceil() as i64);
        }
        if let Some(max) = n.and_then(|n| n.maximum) {
            hi = hi.min(max.floor() as i64);
        }
        // Status-like small values often, sometimes the bounds, else
        // anything from small to epoch-milliseconds size.
        const USUAL: &[i64] = &[0, 200, 1, -1, 400, 500];
        let v = match self.rng.u8(0..8) {
            0 => lo,
            1 => hi,
            2 => self.rng.i64(lo..=hi),
            3..=5 => USUAL[self.rng.usize(..USUAL.len())].clamp(lo, hi),
            _ => self.rng.i64(lo.max(-1000)..=hi.min(2_000_000_000_000)),
        };
        json!(v)
    }

    fn string_schema(&mut self, o: &SchemaObject) -> Value {
        let s = o.string.as_deref();
        assert!(
            s.and_then(|s| s.pattern.as_ref()).is_none(),
            "a pattern in the derived schema: add it to CONSTRAINED ({o:?})"
        );
        let min = s.and_then(|s| s.min_length).unwrap_or(0) as usize;
        let max = s.and_then(|s| s.max_length).map_or(12, |m| m as usize);
        let r = &mut self.rng;
        let v = match o.format.as_deref() {
            Some("date-time") => format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                r.u8(0..40),
                r.u8(1..=12),
                r.u8(1..=28),
                r.u8(0..24),
                r.u8(0..60),
                r.u8(0..60)
            ),
            Some("date") => format!(
                "20{:02}-{:02}-{:02}",
                r.u8(0..40),
                r.u8(1..=12),
                r.u8(1..=28)
            ),
            Some("uri") | Some("url") => format!("https://example.test/{}", self.string(1, 8)),
            Some("email") => format!("{}@example.test", self.string(1, 8)),
            Some("uuid") => format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                r.u32(..),
                r.u16(..),
                r.u16(..0x1000),
                r.u16(..0x1000),
                r.u64(..1 << 48)
            ),
            _ => self.string(min, max.max(min)),
        };
        json!(v)
    }

    /// Printable text, with some non-ASCII and JSON-significant characters.
    fn string(&mut self, min: usize, max: usize) -> String {
        const CHARS: &[char] = &[
            'a',
            'Z',
            '0',
            '9',
            ' ',
            '-',
            '_',
            '/',
            '.',
            '"',
            '\\',
            'é',
            'अ',
            '\u{1F600}',
        ];
        let n = self.rng.usize(min..=max);
        (0..n)
            .map(|_| {
                if self.rng.bool() {
                    self.rng.alphanumeric()
                } else {
                    CHARS[self.rng.usize(..CHARS.len())]
                }
            })
            .collect()
    }

    fn object(&mut self, o: &SchemaObject, depth: usize) -> Value {
        let mut out = Map::new();
        let Some(ov) = o.object.as_deref() else {
            return Value::Object(out);
        };
        for (name, prop) in &ov.properties {
            // Optional properties: three in four near the top, fewer deeper.
            let keep = if depth <= 4 {
                self.rng.u8(0..4) != 0
            } else {
                depth <= 8 && self.rng.bool()
            };
            if ov.required.contains(name) || keep {
                let v = match CONSTRAINED.iter().find(|(n, _)| n == name) {
                    Some((_, draw)) => draw(&mut self.rng),
                    None => self.value(prop, depth + 1),
                };
                out.insert(name.clone(), v);
            }
        }
        // A map (`additionalProperties` with a schema): a few entries.
        if let Some(extra) = ov.additional_properties.as_deref()
            && !matches!(extra, Schema::Bool(false))
            && ov.properties.is_empty()
        {
            for _ in 0..self.rng.usize(0..3) {
                let key = format!("k{}", self.string(1, 6));
                let v = self.value(extra, depth + 1);
                out.insert(key, v);
            }
        }
        Value::Object(out)
    }
}

/// `SAMPLES` values of `T`'s schema, each checked to deserialise into `T`
/// (and to decode through the rules' `decode_success` for `operation`).
fn samples<T: JsonSchema + DeserializeOwned + Debug>(
    seed: u64,
    count: u64,
    decode_success: fn(&str, &Value) -> Option<Result<(), String>>,
    operation: &str,
) -> Vec<Value> {
    let root = schemars::schema_for!(T);
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..count {
        let mut g = Gen {
            root: &root,
            rng: fastrand::Rng::with_seed(seed.wrapping_mul(0x9E37_79B9).wrapping_add(i)),
        };
        let v = g.value(&Schema::Object(root.schema.clone()), 0);
        if let Err(e) = serde_json::from_value::<T>(v.clone()) {
            panic!(
                "{operation}: a schema-valid sample (seed {seed}, #{i}) does not deserialise \
                 into {}: {e}\n{v:#}",
                std::any::type_name::<T>()
            );
        }
        match decode_success(operation, &v) {
            Some(Ok(())) => {}
            other => panic!("{operation}: the rules' decoder says {other:?}\n{v:#}"),
        }
        out.push(v);
    }
    out
}

/// Every sample through a facade decoder; returns how many were `Ok`.
fn through<T: Debug>(
    operation: &str,
    values: &[Value],
    decode: impl Fn(u16, reqwest::header::HeaderMap, &[u8]) -> digilocker_kyc::Result<T>,
) -> usize {
    let mut ok = 0;
    for v in values {
        let body = serde_json::to_vec(v).unwrap();
        match decode(200, reqwest::header::HeaderMap::new(), &body) {
            Ok(t) => {
                let _ = format!("{t:?}");
                ok += 1;
            }
            Err(e) => {
                let _ = (e.to_string(), format!("{e:?}"), e.is_transient());
                assert!(
                    !matches!(e, digilocker_kyc::Error::Transport { .. }),
                    "{operation}: a decoder reported a transport error: {e:?}"
                );
            }
        }
    }
    ok
}

/// One line per operation: the generated response type, a seed, and the
/// facade decoder the sample goes through.
macro_rules! sandbox_case {
    ($op:literal, $ty:ident, $seed:expr, $decoder:path) => {{
        let v = samples::<sandbox::types::$ty>($seed, SAMPLES, sandbox::rules::decode_success, $op);
        let ok = through($op, &v, $decoder);
        ($op, ok)
    }};
}

macro_rules! eko_case {
    ($op:literal, $ty:ident, $seed:expr, $decoder:path) => {{
        let v = samples::<eko::types::$ty>($seed, SAMPLES, eko::rules::decode_success, $op);
        let ok = through($op, &v, $decoder);
        ($op, ok)
    }};
}

/// Operations drawn by the tests below, by provider.
const SANDBOX_PURE: &[&str] = &[
    "authenticate",
    "digilocker_verify_user_account",
    "digilocker_initiate_session",
    "digilocker_get_session_status",
    "digilocker_sdk_get_session_status",
    "entitylocker_get_session_status",
    "entitylocker_sdk_get_session_status",
    "digilocker_get_document",
    "digilocker_sdk_get_document",
    "entitylocker_get_document",
    "entitylocker_sdk_get_document",
    "digilocker_get_user_profile",
    "digilocker_sdk_get_user_profile",
    "entitylocker_get_user_profile",
];
const SANDBOX_HTTP: &[&str] = &[
    "digilocker_sdk_create_session",
    "entitylocker_initiate_session",
    "entitylocker_sdk_create_session",
    "entitylocker_get_entity_details",
];
const EKO: &[&str] = &[
    "create_digilocker_url",
    "get_verification_status",
    "get_document",
];

#[test]
fn sandbox_samples_decode_and_pass_the_facade_decoders() {
    use fuzzing::sandbox as f;
    let results = [
        sandbox_case!("authenticate", AuthenticateResponse, 1, f::authenticate),
        sandbox_case!(
            "digilocker_verify_user_account",
            DigilockerVerifyUserAccountResponse,
            2,
            f::verify_user
        ),
        sandbox_case!(
            "digilocker_initiate_session",
            InitiateSessionResponse,
            3,
            f::start_session
        ),
        sandbox_case!(
            "digilocker_get_session_status",
            GetSessionStatusResponse,
            4,
            f::session_status
        ),
        sandbox_case!(
            "digilocker_sdk_get_session_status",
            GetSessionStatusResponse,
            5,
            f::sdk_session_status
        ),
        sandbox_case!(
            "entitylocker_get_session_status",
            GetSessionStatusResponse,
            6,
            f::entity_session_status
        ),
        sandbox_case!(
            "entitylocker_sdk_get_session_status",
            GetSessionStatusResponse,
            7,
            f::entity_sdk_session_status
        ),
        sandbox_case!(
            "digilocker_get_document",
            GetDocumentResponse,
            8,
            f::document
        ),
        sandbox_case!(
            "digilocker_sdk_get_document",
            DigilockerSdkGetDocumentResponse,
            9,
            f::sdk_document
        ),
        sandbox_case!(
            "entitylocker_get_document",
            GetDocumentResponse,
            10,
            f::entity_document
        ),
        sandbox_case!(
            "entitylocker_sdk_get_document",
            GetDocumentResponse,
            11,
            f::entity_sdk_document
        ),
        sandbox_case!(
            "digilocker_get_user_profile",
            GetUserProfileResponse,
            12,
            f::user_profile
        ),
        sandbox_case!(
            "digilocker_sdk_get_user_profile",
            GetUserProfileResponse,
            13,
            f::sdk_user_profile
        ),
        sandbox_case!(
            "entitylocker_get_user_profile",
            EntitylockerGetUserProfileResponse,
            14,
            f::entity_user_profile
        ),
    ];
    let ops: Vec<&str> = results.iter().map(|(op, _)| *op).collect();
    assert_eq!(ops, SANDBOX_PURE);
    report(&results);
}

#[test]
fn eko_samples_decode_and_pass_the_facade_decoders() {
    use fuzzing::eko as f;
    let results = [
        eko_case!(
            "create_digilocker_url",
            CreateUrlResponse,
            101,
            f::create_url
        ),
        eko_case!(
            "get_verification_status",
            VerificationStatusResponse,
            102,
            f::status
        ),
        eko_case!("get_document", GetDocumentResponse, 103, f::document),
    ];
    let ops: Vec<&str> = results.iter().map(|(op, _)| *op).collect();
    assert_eq!(ops, EKO);
    report(&results);
}

/// Each operation must have taken some samples to a typed `Ok`: a generator
/// whose every sample the facade refuses would test only its error paths.
fn report(results: &[(&str, usize)]) {
    for (op, ok) in results {
        println!("{op}: {ok} samples accepted");
        assert!(*ok > 0, "{op}: no schema-valid sample was accepted");
    }
}

/// The four Sandbox operations without a pure decoder entry point: each
/// sample is served by the generated mock's typed `ok()` and read by the
/// facade.
#[tokio::test]
async fn sandbox_samples_through_the_facade_over_http() {
    use crate::sandbox_support::{SESSION, TOKEN, client, mock_auth};
    use digilocker_kyc::sandbox::{
        CreateSdkSession, DocType, EntityDocType, Flow, StartEntitySession,
    };
    use sandbox::mock::MockServerExt as _;
    use sandbox::types;

    let server = httpmock::MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let sb = client(&server);
    let mut accepted = Vec::new();

    let mut ok = 0;
    for v in samples::<types::DigilockerSdkCreateSessionResponse>(
        201,
        HTTP_SAMPLES,
        sandbox::rules::decode_success,
        "digilocker_sdk_create_session",
    ) {
        let answer = serde_json::from_value(v).unwrap();
        let m = server.digilocker_sdk_create_session(|_, then| {
            then.ok(&answer);
        });
        let req = CreateSdkSession::new(Flow::Signin, [DocType::Aadhaar]).unwrap();
        ok += observe(sb.sdk_create_session(req).await);
        m.assert_calls_async(1).await;
        m.delete_async().await;
    }
    accepted.push(("digilocker_sdk_create_session", ok));

    let mut ok = 0;
    for v in samples::<types::InitiateSessionResponse>(
        202,
        HTTP_SAMPLES,
        sandbox::rules::decode_success,
        "entitylocker_initiate_session",
    ) {
        let answer = serde_json::from_value(v).unwrap();
        let m = server.entitylocker_initiate_session(|_, then| {
            then.ok(&answer);
        });
        let req = StartEntitySession::new(Flow::Signup, "https://app.example/done").unwrap();
        ok += observe(sb.entity_start_session(req).await);
        m.assert_calls_async(1).await;
        m.delete_async().await;
    }
    accepted.push(("entitylocker_initiate_session", ok));

    let mut ok = 0;
    for v in samples::<types::EntitylockerSdkCreateSessionResponse>(
        203,
        HTTP_SAMPLES,
        sandbox::rules::decode_success,
        "entitylocker_sdk_create_session",
    ) {
        let answer = serde_json::from_value(v).unwrap();
        let m = server.entitylocker_sdk_create_session(|_, then| {
            then.ok(&answer);
        });
        let req = CreateSdkSession::new(Flow::Signin, [EntityDocType::GstnDetails]).unwrap();
        ok += observe(sb.entity_sdk_create_session(req).await);
        m.assert_calls_async(1).await;
        m.delete_async().await;
    }
    accepted.push(("entitylocker_sdk_create_session", ok));

    let mut ok = 0;
    for v in samples::<types::EntitylockerGetEntityDetailsResponse>(
        204,
        HTTP_SAMPLES,
        sandbox::rules::decode_success,
        "entitylocker_get_entity_details",
    ) {
        let answer = serde_json::from_value(v).unwrap();
        let m = server.entitylocker_get_entity_details(|when, then| {
            when.session_id(SESSION);
            then.ok(&answer);
        });
        ok += observe(sb.entity_details(SESSION).await);
        m.assert_calls_async(1).await;
        m.delete_async().await;
    }
    accepted.push(("entitylocker_get_entity_details", ok));

    let ops: Vec<&str> = accepted.iter().map(|(op, _)| *op).collect();
    assert_eq!(ops, SANDBOX_HTTP);
    report(&accepted);
}

fn observe<T: Debug>(r: digilocker_kyc::Result<T>) -> usize {
    match r {
        Ok(t) => {
            let _ = format!("{t:?}");
            1
        }
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"));
            assert!(
                !matches!(e, digilocker_kyc::Error::Transport { .. }),
                "a transport error against a local mock: {e:?}"
            );
            0
        }
    }
}

/// Every operation of the generated rules is drawn above, and each has a
/// success type in the rules' `decode_success`.
#[test]
fn every_generated_response_type_is_drawn() {
    let drawn: BTreeSet<&str> = SANDBOX_PURE.iter().chain(SANDBOX_HTTP).copied().collect();
    let generated: BTreeSet<&str> = sandbox::rules::OPERATIONS
        .iter()
        .map(|(id, _, _)| *id)
        .collect();
    assert_eq!(drawn, generated, "Sandbox operations");
    assert_eq!(drawn.len(), SANDBOX_PURE.len() + SANDBOX_HTTP.len());
    let drawn: BTreeSet<&str> = EKO.iter().copied().collect();
    let generated: BTreeSet<&str> = eko::rules::OPERATIONS
        .iter()
        .map(|(id, _, _)| *id)
        .collect();
    assert_eq!(drawn, generated, "Eko operations");
    for (id, _, _) in sandbox::rules::OPERATIONS {
        assert!(
            sandbox::rules::decode_success(id, &Value::Null).is_some(),
            "{id} has no success type in the rules"
        );
    }
    for (id, _, _) in eko::rules::OPERATIONS {
        assert!(
            eko::rules::decode_success(id, &Value::Null).is_some(),
            "{id} has no success type in the rules"
        );
    }
}
