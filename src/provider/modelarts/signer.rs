//! SDK-HMAC-SHA256 request signing, as the Huawei Cloud SDKs and API gateway do it.
//!
//! One implementation serves both sides: the client signs with [`sign`], the simulator
//! checks with [`verify`]. Because a shared bug would cancel out, the unit tests pin the
//! algorithm to the vectors published with the official SDKs, not to round trips.
//!
//! Hand-written on purpose: no maintained crate implements Huawei Cloud's APIG signing
//! (it differs from AWS SigV4 in its canonical URI, header and date rules), and the
//! vectors make this one checkable. Percent-encoding, HMAC and SHA-256 come from crates.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request as the signer sees it. `path` and `query` are as they go on the wire
/// (percent-encoded or not); both are canonicalised the way the SDKs do.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// Header names in any case; values as sent.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Everything but RFC 3986's unreserved characters is escaped.
const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn escape_into(out: &mut String, bytes: &[u8]) {
    out.extend(percent_encoding::percent_encode(bytes, ESCAPED));
}

/// Percent-encode with the RFC 3986 unreserved set kept literal, upper-case hex.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s.as_bytes());
    out
}

fn unescape(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(s).collect()
}

/// Canonical URI: decode, encode each segment, always end with `/`.
pub fn canonical_uri(path: &str) -> String {
    let decoded = unescape(path);
    let mut out = String::with_capacity(path.len() + 1);
    for (i, seg) in decoded.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        escape_into(&mut out, seg);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Canonical query string: decode every pair, sort by key then value, re-encode.
/// A bare `key` counts as `key=` (the Go SDK sends empty values that way).
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (unescape(k), unescape(v)),
            None => (unescape(p), Vec::new()),
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(query.len() + 8);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        escape_into(&mut out, k);
        out.push('=');
        escape_into(&mut out, v);
    }
    out
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn payload_hash(req: &Request<'_>) -> String {
    match header(req.headers, "x-sdk-content-sha256") {
        Some(v) if !(v == "UNSIGNED-PAYLOAD" && req.body.is_empty()) => v.trim().to_string(),
        _ => hex::encode(Sha256::digest(req.body)),
    }
}

/// The canonical request for the given signed header names (lower case, sorted).
/// Returns `None` when a signed header is missing from the request.
pub fn canonical_request(req: &Request<'_>, signed: &[String]) -> Option<String> {
    let mut s = String::with_capacity(256);
    s.push_str(&req.method.to_ascii_uppercase());
    s.push('\n');
    s.push_str(&canonical_uri(req.path));
    s.push('\n');
    s.push_str(&canonical_query(req.query));
    s.push('\n');
    for name in signed {
        let v = header(req.headers, name)?;
        s.push_str(name);
        s.push(':');
        s.push_str(v.trim());
        s.push('\n');
    }
    s.push('\n');
    s.push_str(&signed.join(";"));
    s.push('\n');
    s.push_str(&payload_hash(req));
    Some(s)
}

pub fn string_to_sign(date: &str, canonical: &str) -> String {
    format!(
        "{ALGORITHM}\n{date}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    )
}

fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// The header names an SDK-style client signs: every header present except names with
/// `_`, plus `host`; lower case, sorted.
pub fn signed_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .filter(|k| !k.contains('_'))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Sign a request. `req.headers` must already hold `X-Sdk-Date` and `Host` when they are
/// to be signed. Returns the `Authorization` header value.
pub fn sign(ak: &str, sk: &str, req: &Request<'_>) -> String {
    let signed = signed_header_names(req.headers);
    let date = header(req.headers, "x-sdk-date").unwrap_or_default();
    let canonical = canonical_request(req, &signed).expect("every signed header is present");
    let sig = hmac_hex(sk.as_bytes(), string_to_sign(date, &canonical).as_bytes());
    format!(
        "{ALGORITHM} Access={ak}, SignedHeaders={}, Signature={sig}",
        signed.join(";")
    )
}

/// A parsed `Authorization` header.
#[derive(Debug, PartialEq, Eq)]
pub struct Authorization {
    pub access: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let mut parts = rest.split(", ");
    let access = parts.next()?.strip_prefix("Access=")?;
    let signed = parts.next()?.strip_prefix("SignedHeaders=")?;
    let signature = parts.next()?.strip_prefix("Signature=")?;
    if parts.next().is_some()
        || access.is_empty()
        || signed.is_empty()
        || signature.len() != 64
        || !signature.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    Some(Authorization {
        access: access.to_string(),
        signed_headers: signed.split(';').map(str::to_string).collect(),
        signature: signature.to_ascii_lowercase(),
    })
}

/// Why a signed request was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the Authorization header is not a valid SDK-HMAC-SHA256 header")]
    Malformed,
    #[error("the access key is unknown")]
    UnknownAccessKey,
    #[error("x-sdk-date is missing or not signed")]
    MissingDate,
    #[error("signature expired, signature time:{0}, server time:{1}")]
    Expired(String, String),
    #[error("a signed header is missing from the request")]
    MissingSignedHeader,
    #[error("verify aksk signature fail")]
    Mismatch,
}

/// Verify a request the way the API gateway does: the signed header list comes from the
/// Authorization header, `x-sdk-date` must be signed and within `max_skew_secs` of `now`.
pub fn verify(
    authorization: &str,
    req: &Request<'_>,
    secret_for: impl Fn(&str) -> Option<String>,
    now: chrono::DateTime<chrono::Utc>,
    max_skew_secs: i64,
) -> Result<(), VerifyError> {
    let auth = parse_authorization(authorization).ok_or(VerifyError::Malformed)?;
    let sk = secret_for(&auth.access).ok_or(VerifyError::UnknownAccessKey)?;
    if !auth.signed_headers.iter().any(|h| h == "x-sdk-date") {
        return Err(VerifyError::MissingDate);
    }
    let date = header(req.headers, "x-sdk-date").ok_or(VerifyError::MissingDate)?;
    let t = chrono::NaiveDateTime::parse_from_str(date.trim(), DATE_FORMAT)
        .map_err(|_| VerifyError::MissingDate)?
        .and_utc();
    if (now - t).num_seconds().abs() > max_skew_secs {
        return Err(VerifyError::Expired(
            date.to_string(),
            now.format(DATE_FORMAT).to_string(),
        ));
    }
    let canonical =
        canonical_request(req, &auth.signed_headers).ok_or(VerifyError::MissingSignedHeader)?;
    let expected = hmac_hex(
        sk.as_bytes(),
        string_to_sign(date.trim(), &canonical).as_bytes(),
    );
    if bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        auth.signature.as_bytes(),
    )) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Sign with an explicit signed-header list, as each SDK chooses its own.
    #[allow(clippy::too_many_arguments)]
    fn sig_with(
        _ak: &str,
        sk: &str,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(String, String)],
        signed: &[&str],
        body: &[u8],
    ) -> String {
        let req = Request {
            method,
            path,
            query,
            headers,
            body,
        };
        let signed: Vec<String> = signed.iter().map(|s| s.to_string()).collect();
        let cr = canonical_request(&req, &signed).unwrap();
        let date = header(headers, "x-sdk-date").unwrap();
        hmac_hex(sk.as_bytes(), string_to_sign(date, &cr).as_bytes())
    }

    #[test]
    fn v1_signing_guide_example() {
        let hs = h(&[
            ("Content-Type", "application/json"),
            ("X-Sdk-Date", "20191115T033655Z"),
            ("Host", "service.region.example.com"),
        ]);
        let req = Request {
            method: "GET",
            path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
            headers: &hs,
            body: b"",
        };
        let cr = canonical_request(&req, &signed_header_names(&hs)).unwrap();
        assert_eq!(
            string_to_sign("20191115T033655Z", &cr),
            "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            sign("QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", &req),
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn v2_v3_go_sdk_host_not_signed() {
        let hs = h(&[
            ("X-Sdk-Date", "20060102T150405Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
        ]);
        assert_eq!(
            sig_with(
                "AccessKey",
                "SecretKey",
                "GET",
                "/path",
                "limit=1",
                &hs,
                &["x-sdk-date"],
                b""
            ),
            "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
        let mut hs3 = hs.clone();
        hs3.push(("Content-Type".into(), "application/json".into()));
        assert_eq!(
            sig_with(
                "AccessKey",
                "SecretKey",
                "POST",
                "/path",
                "key=value",
                &hs3,
                &["x-sdk-date"],
                b"{\"Name\":\"test\",\"Id\":1}\n"
            ),
            "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
        );
    }

    #[test]
    fn v4_to_v8_python_and_java() {
        let hs = h(&[
            ("X-Sdk-Date", "20200608T023900Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
            ("Host", "service.endpoint.myhuaweicloud.com"),
        ]);
        let s = ["host", "x-sdk-date"];
        assert_eq!(
            sig_with(
                "AccessKey",
                "SecretKey",
                "GET",
                "/resources",
                "size=1",
                &hs,
                &s,
                b""
            ),
            "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
        assert_eq!(
            sig_with(
                "AccessKey",
                "SecretKey",
                "POST",
                "/resources",
                "size=1",
                &hs,
                &s,
                b"{\"name\":\"test\",\"id\":1}"
            ),
            "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
        );
        let hj = h(&[
            ("Content-Type", "application/json"),
            ("X-Sdk-Date", "20191115T033655Z"),
            ("Host", "service.region.example.com"),
        ]);
        assert_eq!(
            sig_with(
                "AccessKey",
                "SecretKey",
                "GET",
                "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
                "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
                &hj,
                &s,
                b""
            ),
            "fd95e7da6f695cfb4cabbb9d6b0968aec155bc576b064835282473539ae9ea1d"
        );
        assert_eq!(
            sig_with(
                "AccessKey",
                "SecretKey",
                "POST",
                "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpc/123",
                "",
                &hj,
                &s,
                b"{\"key\":\"value\"}"
            ),
            "b5649aa774f6cac7437631662f08815fc65c70e40e486df6db2436ce68902771"
        );
        let h8 = h(&[("X-Sdk-Date", "20191115T033655Z"), ("Host", "example.com")]);
        assert_eq!(
            sig_with("AccessKey", "SecretKey", "GET", "", "", &h8, &s, b""),
            "919ad8b75d4ad49da0d377e63ee21c4a7a54b752f6bf2878b4adbe9c19927da6"
        );
    }

    #[test]
    fn v9_v10_modelarts_shapes() {
        let base = [
            ("User-Agent", "huaweicloud-usdk-python/3.0"),
            ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
            ("X-Sdk-Date", "20240101T000000Z"),
            ("Host", "modelarts.cn-north-4.myhuaweicloud.com"),
        ];
        let mut hs = h(&base);
        hs.push(("Content-Type".into(), "application/json".into()));
        let req = Request {
            method: "GET",
            path: "/v1/0123456789abcdef0123456789abcdef/notebooks",
            query: "limit=10&offset=0&status=RUNNING",
            headers: &hs,
            body: b"",
        };
        assert!(sign("HPUAEXAMPLEAK0000000", "exampleSecretKey0000000000000000000000000", &req)
            .ends_with("SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature=7ec56604d4153cc394632bb8441c2a22c6cdc30fdc45963901890885ab2c0aae"));
        let mut hs = h(&base);
        hs.push((
            "Content-Type".into(),
            "application/json;charset=UTF-8".into(),
        ));
        let body = br#"{"name":"nb-1","flavor":"modelarts.vm.cpu.2u","image":{"id":"img-1"}}"#;
        let req = Request {
            method: "POST",
            path: "/v1/0123456789abcdef0123456789abcdef/notebooks",
            query: "",
            headers: &hs,
            body,
        };
        assert!(sign(
            "HPUAEXAMPLEAK0000000",
            "exampleSecretKey0000000000000000000000000",
            &req
        )
        .ends_with("Signature=205ee8df17ac7072a2031c7bb6cfd9103bb63054dd92370f345e635ac5568dfe"));
    }

    #[test]
    fn v11_encoding_edge_cases() {
        let hs = h(&[
            ("X-Sdk-Date", "20240101T000000Z"),
            ("X-Project-Id", "  p  "),
            ("Host", "127.0.0.1:8080"),
        ]);
        let req = Request {
            method: "DELETE",
            path: "/v1/p/notebooks/a%20b/%C3%A9/",
            query: "b=2&b=10&b=1&a=true&e&tilde~=x%2Ay%2Bz%2F",
            headers: &hs,
            body: b"",
        };
        let cr = canonical_request(&req, &signed_header_names(&hs)).unwrap();
        assert_eq!(cr, "DELETE\n/v1/p/notebooks/a%20b/%C3%A9/\na=true&b=1&b=10&b=2&e=&tilde~=x%2Ay%2Bz%2F\nhost:127.0.0.1:8080\nx-project-id:p\nx-sdk-date:20240101T000000Z\n\nhost;x-project-id;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert!(sign("AK", "SK", &req).ends_with(
            "Signature=7f38d2e59431cc517352ae02e0033c3825678da4fe6411057a64ccb0f496a121"
        ));
    }

    #[test]
    fn v12_unsigned_payload() {
        let hs = h(&[
            ("Content-Type", "application/octet-stream"),
            ("Host", "h.example.com"),
            ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
            ("X-Sdk-Date", "20240101T000000Z"),
        ]);
        let req = Request {
            method: "PUT",
            path: "/v1/p/upload",
            query: "",
            headers: &hs,
            body: b"rawbytes",
        };
        assert!(sign("AK", "SK", &req).ends_with(
            "Signature=5718087601cfa84a9dc46ec2e58ff41015b20ba66f235cb9dd72691b882e9be3"
        ));
    }

    #[test]
    fn official_query_canonicalisation() {
        let q = "limit=1&enable=true&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&path=%2Ftmp%2F123&multi=1&multi=2&multi=3";
        assert_eq!(canonical_query(q), "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29");
    }

    #[test]
    fn verify_accepts_and_rejects() {
        let now = chrono::NaiveDateTime::parse_from_str("20240101T000500Z", DATE_FORMAT)
            .unwrap()
            .and_utc();
        let hs = h(&[("X-Sdk-Date", "20240101T000000Z"), ("Host", "127.0.0.1:1")]);
        let req = Request {
            method: "POST",
            path: "/v1/p/notebooks",
            query: "a=1",
            headers: &hs,
            body: b"{}",
        };
        let auth = sign("AK", "SK", &req);
        let sk = |a: &str| (a == "AK").then(|| "SK".to_string());
        assert_eq!(verify(&auth, &req, sk, now, 900), Ok(()));
        let tampered = Request {
            body: b"{ }",
            ..req
        };
        assert_eq!(
            verify(&auth, &tampered, sk, now, 900),
            Err(VerifyError::Mismatch)
        );
        let later = now + chrono::Duration::minutes(20);
        assert!(matches!(
            verify(&auth, &req, sk, later, 900),
            Err(VerifyError::Expired(..))
        ));
        assert_eq!(
            verify(&auth.replace("AK", "BK"), &req, sk, now, 900),
            Err(VerifyError::UnknownAccessKey)
        );
    }
}
