//! Hash and UUID functions. Strings are hashed as their UTF-8 bytes, files as their
//! bytes; the `base64` forms encode the raw digest.

use super::{arity, files::read_bounded, s, Cx};
use crate::value::Value;
use base64::Engine;
use sha2::Digest;

fn digest(algo: &str, bytes: &[u8]) -> Vec<u8> {
    match algo {
        "md5" => md5::Md5::digest(bytes).to_vec(),
        "sha1" => sha1::Sha1::digest(bytes).to_vec(),
        "sha512" => sha2::Sha512::digest(bytes).to_vec(),
        _ => sha2::Sha256::digest(bytes).to_vec(),
    }
}

pub(super) fn call(name: &str, args: &[Value], cx: &Cx<'_>) -> Option<Result<Value, String>> {
    let (from_file, b64, algo) = match name {
        "md5" | "sha1" | "sha256" | "sha512" => (false, false, name),
        "base64sha256" => (false, true, "sha256"),
        "base64sha512" => (false, true, "sha512"),
        "filemd5" => (true, false, "md5"),
        "filesha1" => (true, false, "sha1"),
        "filesha256" => (true, false, "sha256"),
        "filesha512" => (true, false, "sha512"),
        "filebase64sha256" => (true, true, "sha256"),
        "filebase64sha512" => (true, true, "sha512"),
        "uuid" => {
            return Some(arity(args, 0).map(|()| Value::String(uuid::Uuid::new_v4().to_string())))
        }
        "uuidv5" => return Some(uuidv5(args)),
        _ => return None,
    };
    Some(arity(args, 1).and_then(|()| {
        let bytes = if from_file {
            read_bounded(&cx.base_dir.join(s(&args[0], "the path")?))?
        } else {
            s(&args[0], "the argument")?.into_bytes()
        };
        let d = digest(algo, &bytes);
        Ok(Value::String(if b64 {
            base64::engine::general_purpose::STANDARD.encode(d)
        } else {
            hex::encode(d)
        }))
    }))
}

fn uuidv5(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let ns = s(&args[0], "the namespace")?;
    let name = s(&args[1], "the name")?;
    let namespace = match ns.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|_| {
            format!("the namespace must be dns, url, oid, x500 or a UUID, not {other:?}")
        })?,
    };
    Ok(Value::String(
        uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string(),
    ))
}
