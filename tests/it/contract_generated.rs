//! Contract tests of the generated (low-level) clients: for every operation,
//! the request on the wire (method, path, query, headers, JSON body) and the
//! decoding of the documented response.
//!
//! Request bodies and responses are the documented examples of the bundled
//! specs, read at test time. The mocks are the generated httpmock helpers
//! (`generated::{sandbox,eko}::mock`): each matches its operation's method and
//! path, and the path and query parameters and bodies the test gives it as
//! generated types; headers are checked on httpmock's own `When`
//! (`into_inner()`), and the documented examples are answered as they are
//! written (nulls included) through httpmock's own `Then`. The paths
//! themselves are pinned by `the_operations_and_their_paths_are_pinned`. The generated clients carry their provider's
//! runtime, so these also show what the hooks put on the wire: Sandbox's
//! token, key and (where the operation defines it) API version, Eko's key,
//! signature and content type; the builders themselves have no such methods.

use crate::common;

use digilocker_kyc::generated::eko::mock::MockServerExt as _;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;
use digilocker_kyc::generated::{eko, sandbox};
use digilocker_spec::prep::Provider;
use httpmock::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln";
const KEY: &str = "key_test_contract";
const SESSION: &str = "f1bd0342-cc1d-4051-8301-e8ee17e3a3c3";

/// A generated Sandbox client (through the facade, for its runtime) whose
/// `/authenticate` on `server` hands out `TOKEN`; API version 1.0.0.
async fn sandbox_client(server: &MockServer) -> sandbox::Client {
    let token = common::typed(json!({ "code": 200, "data": { "access_token": TOKEN } }));
    server.authenticate(|_, then| {
        then.ok(&token);
    });
    digilocker_kyc::SandboxClient::builder()
        .api_key(KEY)
        .api_secret("secret_test_contract")
        .api_version("1.0.0")
        .base_url(server.base_url())
        .retry_policy(digilocker_kyc::RetryPolicy::none())
        .build()
        .unwrap()
        .generated()
        .clone()
}

/// A generated Eko client (through the facade, for its runtime) whose clock
/// stands at `TS`, so the signature is the known answer `SIG`.
fn eko_client(server: &MockServer) -> eko::Client {
    digilocker_kyc::EkoClient::builder()
        .developer_key(DEV_KEY)
        .access_key("test-access-key-123")
        .initiator_id("9962981729")
        .base_url(server.base_url())
        .clock(|| TS.parse().unwrap())
        .build()
        .unwrap()
        .generated()
        .clone()
}

fn documented(provider: Provider) -> &'static Value {
    static SANDBOX: OnceLock<Value> = OnceLock::new();
    static EKO: OnceLock<Value> = OnceLock::new();
    let cell = match provider {
        Provider::Sandbox => &SANDBOX,
        Provider::Eko => &EKO,
    };
    cell.get_or_init(|| common::documented(provider))
}

/// The operation object with this operationId.
fn operation(provider: Provider, id: &str) -> &'static Value {
    let doc = documented(provider);
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if op.get("operationId").and_then(Value::as_str) == Some(id) {
                return op;
            }
        }
    }
    panic!("no operation {id}");
}

fn first_example(media: &Value) -> Option<Value> {
    media.get("example").cloned().or_else(|| {
        media
            .get("examples")?
            .as_object()?
            .values()
            .next()?
            .get("value")
            .cloned()
    })
}

/// The first documented 200 example of an operation.
fn response_example(provider: Provider, id: &str) -> Value {
    first_example(&operation(provider, id)["responses"]["200"]["content"]["application/json"])
        .unwrap_or_else(|| panic!("{id} documents no 200 example"))
}

/// The first documented request body example of an operation.
fn request_example(provider: Provider, id: &str) -> Value {
    first_example(&operation(provider, id)["requestBody"]["content"]["application/json"])
        .unwrap_or_else(|| panic!("{id} documents no request example"))
}

/// GET operations with a session id (and a document type).
macro_rules! sandbox_get {
    ($test:ident, $op:ident $(, doc_type = $doc:expr)?) => {
        sandbox_get!(@ $test, $op, "1.0.0" $(, doc_type = $doc)?);
    };
    // The EntityLocker SDK status and document operations declare no
    // x-api-version parameter.
    ($test:ident, $op:ident, no_version $(, doc_type = $doc:expr)?) => {
        sandbox_get!(@ $test, $op, "" $(, doc_type = $doc)?);
    };
    (@ $test:ident, $op:ident, $version:expr $(, doc_type = $doc:expr)?) => {
        #[tokio::test]
        async fn $test() {
            let server = MockServer::start_async().await;
            let example = response_example(Provider::Sandbox, stringify!($op));
            let m = server.$op(|when, then| {
                when.session_id(SESSION)
                    $(.doc_type($doc.parse().unwrap()))?
                    .into_inner()
                    .header("authorization", TOKEN)
                    .header("x-api-key", KEY)
                    .header_missing("api-version")
                    .header_missing("content-type")
                    .is_true(|req| {
                        let sent = req
                            .headers()
                            .get("x-api-version")
                            .map(|v| v.to_str().unwrap_or_default().to_string())
                            .unwrap_or_default();
                        sent == $version
                    });
                then.into_inner().status(200).json_body(example.clone());
            });
            let client = sandbox_client(&server).await;
            let out = client
                .$op()
                .session_id(SESSION)
                $(.doc_type($doc))?
                .send()
                .await
                .expect("the documented response decodes");
            m.assert_async().await;
            assert_eq!(out.status().as_u16(), 200);
            let back = serde_json::to_value(out.into_inner()).unwrap();
            assert_eq!(back["transaction_id"], example["transaction_id"]);
            assert_eq!(back["data"], strip_nulls(&example["data"]));
        }
    };
}

/// POST operations with a JSON body.
macro_rules! sandbox_post {
    ($test:ident, $op:ident, $body_ty:ident) => {
        #[tokio::test]
        async fn $test() {
            let server = MockServer::start_async().await;
            let example = response_example(Provider::Sandbox, stringify!($op));
            let body_json = request_example(Provider::Sandbox, stringify!($op));
            // The mock matches exactly the JSON the typed body writes, which
            // `typed` checks is the documented example.
            let body: sandbox::types::$body_ty = common::typed(body_json.clone());
            let m = server.$op(|when, then| {
                when.body(&body)
                    .into_inner()
                    .header("authorization", TOKEN)
                    .header("x-api-key", KEY)
                    .header("content-type", "application/json")
                    .header_missing("api-version");
                then.into_inner().status(200).json_body(example.clone());
            });
            let client = sandbox_client(&server).await;
            let out = client
                .$op()
                .body(body.clone())
                .send()
                .await
                .expect("the documented response decodes");
            m.assert_async().await;
            let back = serde_json::to_value(out.into_inner()).unwrap();
            assert_eq!(back["transaction_id"], example["transaction_id"]);
        }
    };
}

/// The generated types omit absent optional fields rather than writing null.
fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

// --- Sandbox: /authenticate ------------------------------------------------

#[tokio::test]
async fn authenticate_sends_key_and_secret_headers() {
    let server = MockServer::start_async().await;
    let example = response_example(Provider::Sandbox, "authenticate");
    let m = server.authenticate(|when, then| {
        when.into_inner()
            .header("x-api-key", KEY)
            .header("x-api-secret", "secret_test_contract")
            .header_missing("authorization")
            .header_missing("api-version");
        then.into_inner().status(200).json_body(example.clone());
    });
    let client = digilocker_kyc::SandboxClient::builder()
        .api_key(KEY)
        .api_secret("secret_test_contract")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let out = client.generated().authenticate().send().await.unwrap();
    m.assert_async().await;
    let back = serde_json::to_value(out.into_inner()).unwrap();
    assert_eq!(
        back["data"]["access_token"],
        example["data"]["access_token"]
    );
}

// --- Sandbox: DigiLocker ----------------------------------------------------

sandbox_post!(
    digilocker_verify_user_account,
    digilocker_verify_user_account,
    DigilockerVerifyUserAccountBody
);
sandbox_post!(
    digilocker_initiate_session,
    digilocker_initiate_session,
    DigilockerInitiateSessionBody
);
sandbox_get!(digilocker_get_session_status, digilocker_get_session_status);
sandbox_get!(
    digilocker_get_document,
    digilocker_get_document,
    doc_type = "aadhaar"
);
sandbox_get!(digilocker_get_user_profile, digilocker_get_user_profile);

// --- Sandbox: DigiLocker SDK ------------------------------------------------

sandbox_post!(
    digilocker_sdk_create_session,
    digilocker_sdk_create_session,
    DigilockerSdkCreateSessionBody
);
sandbox_get!(
    digilocker_sdk_get_session_status,
    digilocker_sdk_get_session_status
);
sandbox_get!(
    digilocker_sdk_get_document,
    digilocker_sdk_get_document,
    doc_type = "pan"
);
sandbox_get!(
    digilocker_sdk_get_user_profile,
    digilocker_sdk_get_user_profile
);

// --- Sandbox: EntityLocker --------------------------------------------------

sandbox_post!(
    entitylocker_initiate_session,
    entitylocker_initiate_session,
    EntitylockerInitiateSessionBody
);
sandbox_get!(
    entitylocker_get_session_status,
    entitylocker_get_session_status
);
sandbox_get!(
    entitylocker_get_document,
    entitylocker_get_document,
    doc_type = "gstn_details"
);
sandbox_get!(
    entitylocker_get_entity_details,
    entitylocker_get_entity_details
);
sandbox_get!(entitylocker_get_user_profile, entitylocker_get_user_profile);

// --- Sandbox: EntityLocker SDK ----------------------------------------------

sandbox_post!(
    entitylocker_sdk_create_session,
    entitylocker_sdk_create_session,
    EntitylockerSdkCreateSessionBody
);
sandbox_get!(
    entitylocker_sdk_get_session_status,
    entitylocker_sdk_get_session_status,
    no_version
);
sandbox_get!(
    entitylocker_sdk_get_document,
    entitylocker_sdk_get_document,
    no_version,
    doc_type = "udhyam_certificate"
);

#[test]
fn every_generated_sandbox_operation_has_a_contract_test() {
    let this: String = include_str!("contract_generated.rs")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for (id, _, _) in sandbox::rules::OPERATIONS {
        assert!(
            this.contains(&format!("!({id},{id},"))
                || this.contains(&format!("!({id},{id})"))
                || *id == "authenticate",
            "no contract test for {id}"
        );
    }
    assert_eq!(
        sandbox::rules::OPERATIONS.len(),
        18,
        "17 DigiLocker-family operations + /authenticate"
    );
}

// --- Eko ----------------------------------------------------------------------

const DEV_KEY: &str = "dev-key-contract";
const TS: &str = "1700000000000";
const SIG: &str = "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo=";

#[tokio::test]
async fn eko_create_digilocker_url() {
    let server = MockServer::start_async().await;
    let body_json = request_example(Provider::Eko, "create_digilocker_url");
    let example = response_example(Provider::Eko, "create_digilocker_url");
    let body: eko::types::CreateUrlRequest = common::typed(body_json);
    let m = server.create_digilocker_url(|when, then| {
        when.body(&body)
            .into_inner()
            .header("developer_key", DEV_KEY)
            .header("secret-key", SIG)
            .header("secret-key-timestamp", TS)
            .header("content-type", "application/json")
            .header_missing("api-version");
        then.into_inner().status(200).json_body(example.clone());
    });
    let client = eko_client(&server);
    let out = client
        .create_digilocker_url()
        .body(body.clone())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    let data = out.into_inner().data.unwrap();
    assert_eq!(
        data.reference_id.unwrap().to_string(),
        example["data"]["reference_id"].to_string()
    );
}

#[tokio::test]
async fn eko_get_verification_status() {
    let server = MockServer::start_async().await;
    let example = response_example(Provider::Eko, "get_verification_status");
    let m = server.get_verification_status(|when, then| {
        when.initiator_id("9962981729")
            .reference_id("123456")
            .client_ref_id(
                &"REF1"
                    .parse::<eko::types::GetVerificationStatusClientRefId>()
                    .unwrap(),
            )
            .into_inner()
            .header("developer_key", DEV_KEY)
            .header("secret-key", SIG)
            .header("secret-key-timestamp", TS)
            .header("content-type", "application/json")
            .header_missing("api-version");
        then.into_inner().status(200).json_body(example.clone());
    });
    let client = eko_client(&server);
    let out = client
        .get_verification_status()
        .initiator_id("9962981729")
        .reference_id("123456")
        .client_ref_id("REF1")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    let back = serde_json::to_value(out.into_inner()).unwrap();
    assert_eq!(
        back["data"]["user_details"],
        example["data"]["user_details"]
    );
}

#[tokio::test]
async fn eko_get_document() {
    let server = MockServer::start_async().await;
    let body_json = request_example(Provider::Eko, "get_document");
    let example = response_example(Provider::Eko, "get_document");
    let body: eko::types::GetDocumentRequest = common::typed(body_json);
    let m = server.get_document(|when, then| {
        when.body(&body)
            .into_inner()
            .header("developer_key", DEV_KEY)
            .header("secret-key", SIG)
            .header("secret-key-timestamp", TS)
            .header("content-type", "application/json");
        then.into_inner().status(200).json_body(example.clone());
    });
    let client = eko_client(&server);
    let out = client
        .get_document()
        .body(body.clone())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    let back = serde_json::to_value(out.into_inner()).unwrap();
    assert_eq!(
        back["data"]["documents"][0]["masked_aadhaar"],
        example["data"]["documents"][0]["masked_aadhaar"]
    );
}

#[test]
fn every_generated_eko_operation_has_a_contract_test() {
    let this = include_str!("contract_generated.rs");
    for (id, _, _) in eko::rules::OPERATIONS {
        assert!(
            this.contains(&format!("async fn eko_{id}()")),
            "no contract test for {id}"
        );
    }
    assert_eq!(eko::rules::OPERATIONS.len(), 3);
}

/// The auth headers are data in the generated rules (the builders have no
/// methods for them): what each provider requires of every operation.
#[test]
fn the_rules_record_each_operations_auth_headers() {
    use digilocker_kyc::generated::HeaderRule;
    let has = |rules: &'static [HeaderRule], op: &str, name: &str| {
        HeaderRule::find(rules, op, name).map(|h| h.required)
    };
    let sb = sandbox::rules::RUNTIME_HEADERS;
    for (id, _, _) in sandbox::rules::OPERATIONS {
        assert_eq!(has(sb, id, "x-api-key"), Some(true), "{id}");
        if *id == "authenticate" {
            assert_eq!(has(sb, id, "x-api-secret"), Some(true));
            assert_eq!(has(sb, id, "authorization"), None);
        } else {
            assert_eq!(has(sb, id, "authorization"), Some(true), "{id}");
        }
    }
    // The EntityLocker SDK status and document operations define no API version.
    assert_eq!(
        has(sb, "entitylocker_sdk_get_document", "x-api-version"),
        None
    );
    assert_eq!(
        has(sb, "digilocker_get_document", "x-api-version"),
        Some(false)
    );
    let ek = eko::rules::RUNTIME_HEADERS;
    for (id, _, _) in eko::rules::OPERATIONS {
        for name in [
            "developer_key",
            "secret-key",
            "secret-key-timestamp",
            "content-type",
        ] {
            assert_eq!(has(ek, id, name), Some(true), "{id} {name}");
        }
        let ct = HeaderRule::find(ek, id, "content-type").and_then(|h| h.value);
        assert_eq!(ct, Some("application/json"), "{id}");
    }
}

/// With no access token to be had, the generated client sends nothing else.
#[tokio::test]
async fn without_a_token_the_operation_is_not_sent() {
    let server = MockServer::start_async().await;
    server.authenticate(|_, then| {
        then.into_inner()
            .status(401)
            .json_body(json!({ "code": 401, "message": "Invalid API key" }));
    });
    let any = server
        .mock_async(|when, then| {
            when.path_includes("/kyc/");
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = digilocker_kyc::SandboxClient::builder()
        .api_key(KEY)
        .api_secret("wrong")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let err = client
        .generated()
        .digilocker_get_session_status()
        .session_id(SESSION)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("authentication failed"), "{err}");
    any.assert_calls_async(0).await;
}

/// Operations answering in the same shape share one generated type (the
/// pipeline hoists identical success schemas), so the facade maps each
/// shape once.
#[test]
fn identical_response_shapes_share_one_generated_type() {
    let shared = sandbox::rules::SHARED_RESPONSES;
    let ops_of = |name: &str| {
        shared
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, ops)| ops.to_vec())
            .unwrap_or_default()
    };
    let mut status = ops_of("GetSessionStatusResponse");
    status.sort_unstable();
    assert_eq!(
        status,
        [
            "digilocker_get_session_status",
            "digilocker_sdk_get_session_status",
            "entitylocker_get_session_status",
            "entitylocker_sdk_get_session_status"
        ]
    );
    assert_eq!(ops_of("GetDocumentResponse").len(), 3);
    assert_eq!(ops_of("GetUserProfileResponse").len(), 2);
    assert_eq!(ops_of("InitiateSessionResponse").len(), 2);
    // An operation is in at most one group, and every member is a real one.
    let mut seen = std::collections::BTreeSet::new();
    for (_, ops) in shared {
        for op in *ops {
            assert!(seen.insert(*op), "{op} in two groups");
            assert!(sandbox::rules::OPERATIONS.iter().any(|(id, _, _)| id == op));
        }
    }
    // Eko's three responses are all different.
    assert!(eko::rules::SHARED_RESPONSES.is_empty());
}

/// The method and path of every generated operation, written out here once:
/// the generated mocks above match what the spec says, and this pins what
/// the spec says.
#[test]
fn the_operations_and_their_paths_are_pinned() {
    let sandbox: &[(&str, &str, &str)] = &[
        ("authenticate", "POST", "/authenticate"),
        (
            "digilocker_get_document",
            "GET",
            "/kyc/digilocker/sessions/{session_id}/documents/{doc_type}",
        ),
        (
            "digilocker_get_session_status",
            "GET",
            "/kyc/digilocker/sessions/{session_id}/status",
        ),
        (
            "digilocker_get_user_profile",
            "GET",
            "/kyc/digilocker/sessions/{session_id}/user/profile",
        ),
        (
            "digilocker_initiate_session",
            "POST",
            "/kyc/digilocker/sessions/init",
        ),
        (
            "digilocker_sdk_create_session",
            "POST",
            "/kyc/digilocker-sdk/sessions/create",
        ),
        (
            "digilocker_sdk_get_document",
            "GET",
            "/kyc/digilocker-sdk/sessions/{session_id}/documents/{doc_type}",
        ),
        (
            "digilocker_sdk_get_session_status",
            "GET",
            "/kyc/digilocker-sdk/sessions/{session_id}/status",
        ),
        (
            "digilocker_sdk_get_user_profile",
            "GET",
            "/kyc/digilocker-sdk/sessions/{session_id}/user/profile",
        ),
        (
            "digilocker_verify_user_account",
            "POST",
            "/kyc/digilocker/user/verify",
        ),
        (
            "entitylocker_get_document",
            "GET",
            "/kyc/entitylocker/sessions/{session_id}/documents/{doc_type}",
        ),
        (
            "entitylocker_get_entity_details",
            "GET",
            "/kyc/entitylocker/sessions/{session_id}/entity",
        ),
        (
            "entitylocker_get_session_status",
            "GET",
            "/kyc/entitylocker/sessions/{session_id}/status",
        ),
        (
            "entitylocker_get_user_profile",
            "GET",
            "/kyc/entitylocker/sessions/{session_id}/user/profile",
        ),
        (
            "entitylocker_initiate_session",
            "POST",
            "/kyc/entitylocker/sessions/init",
        ),
        (
            "entitylocker_sdk_create_session",
            "POST",
            "/kyc/entitylocker-sdk/sessions/create",
        ),
        (
            "entitylocker_sdk_get_document",
            "GET",
            "/kyc/entitylocker-sdk/sessions/{session_id}/documents/{doc_type}",
        ),
        (
            "entitylocker_sdk_get_session_status",
            "GET",
            "/kyc/entitylocker-sdk/sessions/{session_id}/status",
        ),
    ];
    assert_eq!(sandbox::rules::OPERATIONS, sandbox);
    let eko: &[(&str, &str, &str)] = &[
        ("create_digilocker_url", "POST", "/tools/kyc/digilocker"),
        ("get_document", "POST", "/tools/kyc/digilocker/document"),
        (
            "get_verification_status",
            "GET",
            "/tools/kyc/digilocker/status",
        ),
    ];
    assert_eq!(eko::rules::OPERATIONS, eko);
}
