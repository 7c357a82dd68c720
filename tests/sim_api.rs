//! The simulator over loopback HTTP: every operation, documented error paths, status
//! transitions, authentication, faults and malformed requests.

mod common;
use common::*;
use maform::provider::modelarts::signer;
use serde_json::{json, Value};

const IMG: &str = "e1a07296-22a8-4f05-8bc8-e936c8e54090";

/// Poll until `f` holds (bounded: the fast profile moves in tens of milliseconds).
fn until(sim: &Sim, path: &str, f: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (_, v) = sim.api("GET", path, None);
        if f(&v) {
            return v;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("{path} never reached the expected state");
}

fn status_is(s: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["status"] == s
}

fn create_nb(sim: &Sim, name: &str) -> String {
    let (s, v) = sim.api("POST", "/notebooks", Some(json!({"name": name, "flavor": "modelarts.vm.cpu.2u", "image_id": IMG, "volume": {"category": "evs", "ownership": "managed", "capacity": 10}})));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "CREATING");
    assert_eq!(v["volume"]["category"], "EVS", "enums come back upper case");
    assert_eq!(v["volume"]["ownership"], "MANAGED");
    v["id"].as_str().unwrap().to_string()
}

#[test]
fn notebook_operations_and_wrong_status_codes() {
    let sim = Sim::start(&[]);
    let id = create_nb(&sim, "nb-1");
    let p = format!("/notebooks/{id}");
    let v = until(&sim, &p, status_is("RUNNING"));
    assert!(
        v["create_at"].is_i64() && v["lease"]["create_at"].is_i64(),
        "timestamps are ms numbers"
    );
    // Updates allowed while running, and the documented refusals.
    assert_eq!(
        sim.api(
            "PUT",
            &p,
            Some(json!({"name": "nb-renamed", "description": "d"}))
        )
        .0,
        200
    );
    let (s, e) = sim.api("PUT", &p, Some(json!({"flavor": "modelarts.vm.cpu.8u"})));
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("ModelArts.6347")),
        "{e}"
    );
    assert!(e["error_msg"].as_str().unwrap().contains("'flavor'"));
    assert_eq!(
        sim.api("POST", &format!("{p}/start"), None).1["error_code"],
        "ModelArts.6305"
    );
    // Grow the volume (RESIZING, then back), refuse to shrink.
    let (s, v) = sim.api("PUT", &p, Some(json!({"storage_new_size": 20})));
    assert_eq!(s, 200);
    assert_eq!(v["volume"]["status"], "RESIZING");
    until(&sim, &p, |v| v["volume"]["status"].is_null());
    assert_eq!(
        sim.api("PUT", &p, Some(json!({"storage_new_size": 10}))).1["error_code"],
        "ModelArts.6331"
    );
    // Lease.
    assert_eq!(
        sim.api("GET", &format!("{p}/lease"), None).1["duration"],
        3600000
    );
    let (s, l) = sim.api(
        "PATCH",
        &format!("{p}/lease?duration=7200000"),
        Some(json!({})),
    );
    assert_eq!((s, l["duration"].as_i64()), (200, Some(7200000)));
    assert_eq!(
        sim.api("PATCH", &format!("{p}/lease"), Some(json!({"duration": 5})))
            .1["error_code"],
        "ModelArts.6349"
    );
    // Storage mounts (RUNNING only).
    let (s, m) = sim.api(
        "POST",
        &format!("{p}/storage"),
        Some(json!({"category": "OBS", "mount_path": "/data/ds/", "uri": "obs://bucket/ds/"})),
    );
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["status"], "MOUNTING");
    let mid = m["id"].as_str().unwrap();
    until(&sim, &format!("{p}/storage/{mid}"), status_is("MOUNTED"));
    assert_eq!(sim.api("GET", &format!("{p}/storage"), None).1["total"], 1);
    assert_eq!(
        sim.api("DELETE", &format!("{p}/storage/{mid}"), None).1["status"],
        "UNMOUNTING"
    );
    // Stop, then the stopped-only updates.
    assert_eq!(
        sim.api("POST", &format!("{p}/stop"), None).1["status"],
        "STOPPING"
    );
    assert_eq!(
        sim.api("POST", &format!("{p}/stop"), None).1["error_code"],
        "ModelArts.6308"
    );
    until(&sim, &p, status_is("STOPPED"));
    assert_eq!(
        sim.api("POST", &format!("{p}/stop"), None).1["error_code"],
        "ModelArts.6307"
    );
    assert_eq!(
        sim.api("PATCH", &format!("{p}/lease?duration=7200000"), None)
            .1["error_code"],
        "ModelArts.6327"
    );
    assert_eq!(
        sim.api(
            "POST",
            &format!("{p}/storage"),
            Some(json!({"category": "OBS", "mount_path": "/data/x/", "uri": "obs://b/x/"}))
        )
        .1["error_code"],
        "ModelArts.6327"
    );
    let (s, v) = sim.api("PUT", &p, Some(json!({"flavor": "modelarts.vm.cpu.8u", "endpoints": [{"service": "ssh", "key_pair_names": ["kp"], "allowed_access_ips": ["1.2.3.4"]}]})));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["endpoints"][0]["service"], "SSH");
    assert_eq!(
        sim.api("PUT", &p, Some(json!({"flavor": "modelarts.vm.gpu.t4"})))
            .1["error_code"],
        "ModelArts.6792",
        "CPU to GPU is not switchable"
    );
    let sw = sim.api("GET", &format!("{p}/flavors"), None).1;
    assert!(sw["flavors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["category"] == "CPU"));
    // Start with a lease, then delete while running (allowed on v1).
    assert_eq!(
        sim.api(
            "POST",
            &format!("{p}/start?duration=3600000&type=timing"),
            None
        )
        .1["status"],
        "STARTING"
    );
    until(&sim, &p, status_is("RUNNING"));
    assert_eq!(sim.api("DELETE", &p, None).1["status"], "DELETING");
    let (s, e) = until_gone(&sim, &p);
    assert_eq!(
        (s, e["error_code"].as_str(), e["error_msg"].as_str()),
        (
            400,
            Some("ModelArts.6309"),
            Some("The instance does not exist.")
        )
    );
}

fn until_gone(sim: &Sim, path: &str) -> (u16, Value) {
    for _ in 0..400 {
        let (s, v) = sim.api("GET", path, None);
        if s != 200 {
            return (s, v);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("{path} never went away");
}

#[test]
fn notebook_list_filters_and_pagination() {
    let sim = Sim::start(&[]);
    for i in 0..12 {
        create_nb(&sim, &format!("list-{i:02}"));
    }
    let (_, v) = sim.api("GET", "/notebooks?limit=10&offset=10", None);
    assert_eq!(
        (
            v["total"].as_u64(),
            v["pages"].as_u64(),
            v["data"].as_array().unwrap().len()
        ),
        (Some(12), Some(2), 2)
    );
    assert_eq!(
        sim.api("GET", "/notebooks?limit=7", None).1["error_code"],
        "ModelArts.0101"
    );
    assert_eq!(
        sim.api("GET", "/notebooks?name=list-0&limit=50", None).1["total"],
        10
    );
    assert_eq!(
        sim.api("GET", "/notebooks?flavor=modelarts.vm.cpu.8u", None)
            .1["total"],
        0
    );
    assert_eq!(
        sim.api("GET", "/notebooks?workspaceId=0&limit=20", None).1["total"],
        12,
        "both spellings of the workspace filter"
    );
    let (_, asc) = sim.api("GET", "/notebooks?limit=50&sort_dir=ASC", None);
    assert_eq!(asc["data"][0]["name"], "list-00");
    let (_, imgs) = sim.api("GET", "/images?limit=50", None);
    assert!(imgs["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == IMG));
    let (_, fl) = sim.api("GET", "/notebooks/flavors?category=GPU", None);
    assert!(fl["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["category"] == "GPU"));
}

#[test]
fn validation_errors_name_the_field() {
    let sim = Sim::start(&[]);
    let base = json!({"name": "x", "flavor": "modelarts.vm.cpu.2u", "image_id": IMG, "volume": {"category": "EVS", "ownership": "MANAGED"}});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        sim.api("POST", "/notebooks", Some(b)).1
    };
    let e = with("name", Value::Null);
    assert_eq!(
        (e["error_code"].as_str(), e["error_msg"].as_str()),
        (
            Some("ModelArts.6335"),
            Some("'name' is a required property.")
        )
    );
    assert_eq!(
        with("description", json!("a<b"))["error_code"],
        "ModelArts.6334"
    );
    let e = with(
        "volume",
        json!({"category": "tape", "ownership": "MANAGED"}),
    );
    assert!(
        e["error_code"] == "ModelArts.6336"
            && e["error_msg"].as_str().unwrap().contains("volume.category"),
        "{e}"
    );
    assert_eq!(
        with(
            "volume",
            json!({"category": "EVS", "ownership": "MANAGED", "capacity": 5000})
        )["error_code"],
        "ModelArts.6331"
    );
    assert_eq!(
        with("image_id", json!("nope"))["error_code"],
        "ModelArts.6797"
    );
    assert_eq!(
        with("flavor", json!("modelarts.vm.nope"))["error_code"],
        "ModelArts.6323"
    );
    assert_eq!(
        with("flavor", json!("modelarts.vm.gpu.a100"))["error_code"],
        "ModelArts.6329",
        "sold out"
    );
    assert_eq!(with("duration", json!(60))["error_code"], "ModelArts.6349");
    assert_eq!(
        with("name", json!(5))["error_code"],
        "ModelArts.6332",
        "wrong type"
    );
    assert_eq!(
        with("workspace_id", json!("WS"))["error_code"],
        "ModelArts.6336"
    );
    let e = with("endpoints", json!([{"service": "SSH"}]));
    assert!(
        e["error_msg"]
            .as_str()
            .unwrap()
            .contains("endpoints[0].key_pair_names"),
        "{e}"
    );
    let e = with(
        "affinity",
        json!({"required_during_scheduling_ignored_during_execution": [{"key": "k", "operator": "Near"}]}),
    );
    assert!(e["error_msg"].as_str().unwrap().contains("operator"), "{e}");
    let e = with("custom_spec", json!({"cpu": 1, "memory": 1024}));
    assert_eq!(
        e["error_code"], "ModelArts.0107",
        "custom_spec needs a pool: {e}"
    );
}

#[test]
fn devserver_operations() {
    let sim = Sim::start(&[]);
    let body = |pass: Value, key: Value| json!({"name": "EI-evs-1107", "flavor": "Si2.large.4", "image_id": "c90fb553-2cdb-4b81-b56a-ef68812c6cf7", "network": {"security_group_id": "s", "subnet_id": "n", "vpc_id": "v"}, "admin_pass": pass, "key_pair_name": key});
    // The document's own example request is accepted.
    let (s, v) = sim.api(
        "POST",
        "/dev-servers",
        Some(body(json!("@DevServer"), Value::Null)),
    );
    assert_eq!(s, 200, "{v}");
    assert!(
        v.get("admin_pass").is_none(),
        "the password is never returned"
    );
    let id = v["id"].as_str().unwrap().to_string();
    for (p, why) in [
        ("short1A", "8 to 26"),
        ("alllowercase", "three"),
        ("Root-Passw0rd", "root"),
        ("Pass word1!", "not allowed"),
    ] {
        let e = sim
            .api("POST", "/dev-servers", Some(body(json!(p), Value::Null)))
            .1;
        assert!(
            e["error_code"] == "ModelArts.6336" && e["error_msg"].as_str().unwrap().contains(why),
            "{p}: {e}"
        );
    }
    assert_eq!(
        sim.api(
            "POST",
            "/dev-servers",
            Some(body(json!("Ok-Passw0rd"), json!("kp")))
        )
        .1["error_code"],
        "ModelArts.0107"
    );
    assert_eq!(
        sim.api("POST", "/dev-servers", Some(body(Value::Null, Value::Null)))
            .1["error_code"],
        "ModelArts.0107"
    );
    let p = format!("/dev-servers/{id}");
    until(&sim, &p, status_is("RUNNING"));
    assert_eq!(
        sim.api("PUT", &p, Some(json!({"name": "renamed"}))).1["name"],
        "renamed"
    );
    assert_eq!(
        sim.api("PUT", &p, Some(json!({"flavor": "x"}))).1["error_code"],
        "ModelArts.6336"
    );
    assert_eq!(
        sim.api("PUT", &format!("{p}/start"), Some(json!({}))).1["error_code"],
        "ModelArts.6357"
    );
    assert_eq!(
        sim.api("PUT", &format!("{p}/stop"), None).1["status"],
        "STOPPING"
    );
    until(&sim, &p, status_is("STOPPED"));
    assert_eq!(
        sim.api("PUT", &format!("{p}/start"), Some(json!({}))).1["status"],
        "STARTING"
    );
    until(&sim, &p, status_is("RUNNING"));
    assert_eq!(
        sim.api("GET", "/dev-servers?limit=1024", None).1["total"],
        1
    );
    assert!(
        !sim.api("GET", "/dev-servers/flavors?arch=ARM", None).1["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(!sim
        .api("GET", "/dev-servers/images?flavor_name=Si2.large.4", None)
        .1["data"]
        .as_array()
        .unwrap()
        .is_empty());
    sim.api("DELETE", &p, None);
    let (s, e) = until_gone(&sim, &p);
    assert_eq!((s, e["error_code"].as_str()), (400, Some("ModelArts.6404")));
}

#[test]
fn devenv_operations_use_error_message() {
    let sim = Sim::start(&[]);
    let mut b = json!({"name": "notebook-instance", "description": "", "profile_id": "Multi-Engine 1.0 (python3)-gpu", "flavor": "modelarts.bm.gpu.v100NV32",
        "spec": {"storage": {"location": {"volume_size": 5}, "type": "evs"}, "auto_stop": {"enable": true, "duration": 3600}}, "workspace": {"id": "0"}});
    let (s, v) = sim.api("POST", "/demanager/instances", Some(b.clone()));
    assert_eq!(s, 200, "{v}");
    assert!(v["id"].as_str().unwrap().starts_with("DE-"));
    assert!(
        v["creation_timestamp"].is_string(),
        "legacy timestamps are strings"
    );
    let id = v["id"].as_str().unwrap().to_string();
    b["spec"]["storage"] = json!({"type": "obs", "location": {"path": "/bucket/dir"}});
    let e = sim.api("POST", "/demanager/instances", Some(b)).1;
    assert_eq!(
        e,
        json!({"error_code": "ModelArts.6318", "error_message": "The param path needs to end with /."})
    );
    assert_eq!(
        sim.api("GET", "/demanager/instances", None).1["error_code"],
        "ModelArts.6335",
        "de_type is required"
    );
    let p = format!("/demanager/instances/{id}");
    until(&sim, &p, status_is("RUNNING"));
    assert_eq!(
        sim.api("GET", "/demanager/instances?de_type=Notebook", None)
            .1["total_count"],
        1
    );
    assert_eq!(
        sim.api("DELETE", &p, None).1["error_code"],
        "ModelArts.6304",
        "stop before deleting"
    );
    let (s, u) = sim.api("PUT", &p, Some(json!({"description": "new", "spec": {"auto_stop": {"enable": true, "duration": 7200}}})));
    assert_eq!(
        (s, u["spec"]["auto_stop"]["duration"].as_i64()),
        (200, Some(7200))
    );
    assert_eq!(
        sim.api("PUT", &p, Some(json!({"flavor": "x"}))).1["error_code"],
        "ModelArts.6336"
    );
    let a = sim
        .api(
            "POST",
            &format!("{p}/action"),
            Some(json!({"action": "stop"})),
        )
        .1;
    assert_eq!(
        a,
        json!({"current_status": "STOPPING", "previous_state": "RUNNING"})
    );
    until(&sim, &p, status_is("STOPPED"));
    assert_eq!(sim.api("DELETE", &p, None).1, json!({"instance_id": id}));
    let (s, e) = until_gone(&sim, &p);
    assert_eq!(
        (s, e["error_message"].as_str()),
        (400, Some("The instance does not exist."))
    );
    assert!(!sim.api("GET", "/demanager/profiles", None).1["profiles"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn failures_and_auto_stop_transitions() {
    let sim = Sim::start(&[]);
    sim.call("POST", "/_sim/fail", Some(json!({"name": "doomed"})));
    let id = create_nb(&sim, "doomed");
    let v = until(&sim, &format!("/notebooks/{id}"), |v| {
        v["status"] != "CREATING"
    });
    assert_eq!(v["status"], "CREATE_FAILED");
    assert!(v["fail_reason"].is_string());
    // Lease expiry stops a running instance.
    let id = create_nb(&sim, "leased");
    until(&sim, &format!("/notebooks/{id}"), status_is("RUNNING"));
    sim.call(
        "PATCH",
        &format!("/_sim/notebooks/{id}"),
        Some(json!({"lease": {"create_at": 1, "duration": 3600000, "enable": true}})),
    );
    assert_eq!(
        sim.api("GET", &format!("/notebooks/{id}"), None).1["status"],
        "STOPPED"
    );
    let (s, st) = sim.call("GET", "/_sim/stats", None);
    assert_eq!(s, 200);
    assert!(
        st["routes"]["GET /v1/{project_id}/notebooks/{id}"]
            .as_u64()
            .unwrap()
            >= 2,
        "{st}"
    );
}

#[allow(clippy::too_many_arguments)]
fn signed(
    sim: &Sim,
    ak: &str,
    sk: &str,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    python_style: bool,
    date: &str,
) -> Vec<(String, String)> {
    let mut hs: Vec<(String, String)> = vec![
        ("X-Sdk-Date".into(), date.into()),
        ("X-Project-Id".into(), PROJECT.into()),
        ("User-Agent".into(), "test/1.0".into()),
    ];
    if python_style {
        hs.push(("Content-Type".into(), "application/json".into()));
        hs.push(("Host".into(), sim.addr.clone()));
    }
    let auth = signer::sign(
        ak,
        sk,
        &signer::Request {
            method,
            path,
            query,
            headers: &hs,
            body,
        },
    );
    hs.retain(|(k, _)| k != "Host");
    if !python_style {
        hs.push(("Content-Type".into(), "application/json".into()));
    }
    hs.push(("Authorization".into(), auth));
    hs
}

fn now() -> String {
    chrono::Utc::now().format(signer::DATE_FORMAT).to_string()
}

#[test]
fn authentication_signatures_tokens_and_projects() {
    let sim = Sim::start(&[
        "--access-key",
        "AK1",
        "--secret-key",
        "SK1",
        "--auth-token",
        "TOKEN1",
        "--user",
        "u",
        "--password",
        "p",
    ]);
    let path = format!("/v1/{PROJECT}/notebooks");
    let send = |hs: &[(String, String)], method: &str, p: &str, body: &[u8]| {
        let h: Vec<(&str, &str)> = hs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        sim.raw(method, p, &h, body)
    };
    // Unsigned: refused with the gateway's body.
    let (s, h, e) = sim.raw("GET", &path, &[], b"");
    assert_eq!(
        (s, e["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{e}"
    );
    assert!(h.iter().any(|(k, _)| k == "x-request-id"));
    // Signed as the Python SDK signs (content-type and host) and as the Go SDK (neither).
    for py in [true, false] {
        let hs = signed(
            &sim,
            "AK1",
            "SK1",
            "GET",
            &path,
            "limit=10",
            b"",
            py,
            &now(),
        );
        let (s, _, v) = send(&hs, "GET", &format!("{path}?limit=10"), b"");
        assert_eq!(s, 200, "python_style={py}: {v}");
    }
    let body = br#"{"name":"signed","flavor":"modelarts.vm.cpu.2u","image_id":"e1a07296-22a8-4f05-8bc8-e936c8e54090","volume":{"category":"EVS","ownership":"MANAGED"}}"#;
    let hs = signed(&sim, "AK1", "SK1", "POST", &path, "", body, true, &now());
    assert_eq!(send(&hs, "POST", &path, body).0, 200);
    // Tampering: body, path, query, a signed header, a stale date, a wrong key.
    assert_eq!(
        send(&hs, "POST", &path, &body[..body.len() - 1]).0,
        401,
        "changed body"
    );
    assert_eq!(
        send(&hs, "POST", &format!("{path}/x"), body).0,
        401,
        "changed path"
    );
    let hq = signed(
        &sim,
        "AK1",
        "SK1",
        "GET",
        &path,
        "limit=10",
        b"",
        true,
        &now(),
    );
    assert_eq!(
        send(&hq, "GET", &format!("{path}?limit=20"), b"").0,
        401,
        "changed query"
    );
    let mut hh = hq.clone();
    for (k, v) in hh.iter_mut() {
        if k == "X-Project-Id" {
            *v = "other".into();
        }
    }
    assert_eq!(
        send(&hh, "GET", &format!("{path}?limit=10"), b"").0,
        401,
        "changed header"
    );
    let stale = (chrono::Utc::now() - chrono::Duration::minutes(16))
        .format(signer::DATE_FORMAT)
        .to_string();
    let hs = signed(&sim, "AK1", "SK1", "GET", &path, "", b"", true, &stale);
    let (s, _, e) = send(&hs, "GET", &path, b"");
    assert!(
        s == 401 && e["error_msg"].as_str().unwrap().contains("expired"),
        "{e}"
    );
    let hs = signed(&sim, "AK1", "WRONG", "GET", &path, "", b"", true, &now());
    assert_eq!(send(&hs, "GET", &path, b"").0, 401);
    // Tokens: the configured one, and one issued by the identity route.
    assert_eq!(
        sim.raw("GET", &path, &[("X-Auth-Token", "TOKEN1")], b"").0,
        200
    );
    assert_eq!(
        sim.raw("GET", &path, &[("X-Auth-Token", "nope")], b"").0,
        401
    );
    let auth_with = |user: &str, pw: &str, scope: Value| {
        let auth = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": user, "password": pw, "domain": {"name": "d"}}}}, "scope": scope}}).to_string();
        sim.raw(
            "POST",
            "/v3/auth/tokens",
            &[("Content-Type", "application/json")],
            auth.as_bytes(),
        )
    };
    let project = json!({"project": {"name": "cn-north-4"}});
    // Only the configured user and password get a token.
    assert_eq!(auth_with("u", "wrong", project.clone()).0, 401);
    assert_eq!(auth_with("someone", "p", project.clone()).0, 401);
    assert_eq!(
        auth_with(
            "u",
            "p",
            json!({"project": {"id": "ffffffffffffffffffffffffffffffff"}})
        )
        .0,
        404,
        "a project the simulator does not have"
    );
    // A token scoped to no project cannot call the project's APIs.
    let (s, h, _) = auth_with("u", "p", json!({"domain": {"name": "d"}}));
    assert_eq!(s, 201);
    let unscoped = h
        .iter()
        .find(|(k, _)| k == "x-subject-token")
        .map(|(_, v)| v.clone())
        .expect("X-Subject-Token");
    assert_eq!(
        sim.raw("GET", &path, &[("X-Auth-Token", &unscoped)], b"").0,
        403
    );
    // The legacy DevEnviron service answers the same refusal in its own shape.
    let (s, _, e) = sim.raw(
        "GET",
        &format!("/v1/{PROJECT}/demanager/instances?de_type=Notebook"),
        &[("X-Auth-Token", &unscoped)],
        b"",
    );
    assert_eq!((s, e["error_code"].as_str()), (403, Some("ModelArts.0210")));
    assert!(
        e["error_message"].is_string() && e["error_msg"].is_null(),
        "{e}"
    );
    let (s, h, _) = auth_with("u", "p", project);
    assert_eq!(s, 201);
    let tok = h
        .iter()
        .find(|(k, _)| k == "x-subject-token")
        .map(|(_, v)| v.clone())
        .expect("X-Subject-Token");
    assert_eq!(sim.raw("GET", &path, &[("X-Auth-Token", &tok)], b"").0, 200);
    assert_eq!(
        sim.call("GET", "/v3/projects?name=cn-north-4", None).1["projects"][0]["id"],
        PROJECT
    );
    assert!(sim.call("GET", "/v3/auth/domains", None).1["domains"].is_array());
    // Another project in the path is refused.
    let (s, _, e) = sim.raw(
        "GET",
        "/v1/ffffffffffffffffffffffffffffffff/notebooks",
        &[("X-Auth-Token", "TOKEN1")],
        b"",
    );
    assert_eq!((s, e["error_code"].as_str()), (403, Some("ModelArts.0210")));
}

#[test]
fn throttling_errors_and_malformed_requests() {
    let sim = Sim::start(&["--throttle-rps", "3"]);
    let mut throttled = None;
    for _ in 0..10 {
        let (s, h, v) = sim.raw("GET", &format!("/v1/{PROJECT}/notebooks"), &[], b"");
        if s == 429 {
            throttled = Some((h, v));
            break;
        }
    }
    let (h, v) = throttled.expect("a 429 above 3 requests per second");
    assert_eq!(v["error_code"], "APIG.0308");
    assert!(h.iter().any(|(k, _)| k == "retry-after"));
    // Injected faults: 500 ModelArts.0010, or 503 ModelArts.6101 ("busy"); each in the
    // shape of the service that answers.
    let sim = Sim::start(&["--error-rate", "1", "--seed", "7"]);
    let mut seen = std::collections::BTreeSet::new();
    for path in [
        "/notebooks",
        "/dev-servers",
        "/demanager/instances?de_type=Notebook",
    ] {
        for _ in 0..8 {
            let (s, v) = sim.api("GET", path, None);
            let code = v["error_code"].as_str().unwrap_or_default().to_string();
            match (s, code.as_str()) {
                (500, "ModelArts.0010") | (503, "ModelArts.6101") => {}
                _ => panic!("{path}: {s} {v}"),
            }
            let key = if path.starts_with("/demanager") {
                "error_message"
            } else {
                "error_msg"
            };
            assert!(v[key].is_string(), "{path}: {key} in {v}");
            seen.insert(code);
        }
    }
    assert_eq!(seen.len(), 2, "both faults drawn: {seen:?}");
    let sim = Sim::start(&[]);
    let (s, _, v) = sim.raw(
        "POST",
        &format!("/v1/{PROJECT}/notebooks"),
        &[("Content-Type", "application/json")],
        b"{not json",
    );
    assert_eq!((s, v["error_code"].as_str()), (400, Some("ModelArts.6400")));
    let (s, _, v) = sim.raw(
        "POST",
        &format!("/v1/{PROJECT}/demanager/instances"),
        &[],
        b"[1,",
    );
    assert_eq!((s, v["error_code"].as_str()), (400, Some("ModelArts.6400")));
    assert!(v["error_message"].is_string(), "legacy shape");
    let big = vec![b' '; 2 << 20];
    assert_eq!(
        sim.raw("POST", &format!("/v1/{PROJECT}/notebooks"), &[], &big)
            .0,
        413
    );
    let (s, _, v) = sim.raw("GET", "/v2/whatever", &[], b"");
    assert_eq!((s, v["error_code"].as_str()), (404, Some("APIG.0101")));
    assert_eq!(sim.api("PUT", "/notebooks", Some(json!([]))).0, 404);
    assert_eq!(
        sim.api("POST", "/notebooks", Some(json!([1, 2]))).1["error_code"],
        "ModelArts.6332"
    );
    // Still serving.
    assert_eq!(sim.api("GET", "/notebooks", None).0, 200);
}

#[test]
fn persistence_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cloud.json");
    let d = data.to_str().unwrap();
    let id = {
        let sim = Sim::start(&["--data", d]);
        let id = create_nb(&sim, "kept");
        until(&sim, &format!("/notebooks/{id}"), status_is("RUNNING"));
        // The data file is written within moments of a change.
        for _ in 0..200 {
            if std::fs::read_to_string(&data).is_ok_and(|t| t.contains(&id)) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        id
    };
    let sim = Sim::start(&["--data", d]);
    assert_eq!(
        sim.api("GET", &format!("/notebooks/{id}"), None).1["name"],
        "kept"
    );
    let other = create_nb(&sim, "new");
    assert_ne!(other, id, "ids never repeat across restarts");
}

/// What the official clients read back from a DevServer (`resource_flavor`, the
/// document's `server_image_response`, `ssh_keys` on endpoints), and the billing calls
/// the official Terraform provider makes around a delete: no subscription for a
/// pay-per-use server (then a plain DELETE), the order's resource for a prepaid one
/// (then unsubscribe, which deletes it; a second unsubscribe is CBC.30000067).
#[test]
fn devserver_reads_and_billing_subscriptions() {
    let sim = Sim::start(&[]);
    let body = |charging: Value| json!({"name": "ds", "resource_flavor": "Si2.large.4", "image_id": "c90fb553-2cdb-4b81-b56a-ef68812c6cf7", "network": {"security_group_id": "s", "subnet_id": "n", "vpc_id": "v"}, "key_pair_name": "kp", "charging_info": charging});
    let (s, v) = sim.api("POST", "/dev-servers", Some(body(Value::Null)));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["server_image_response"]["image_id"],
        "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
    );
    assert_eq!(v["server_image_response"]["arch"], "X86");
    let id = v["id"].as_str().unwrap().to_string();
    let p = format!("/dev-servers/{id}");
    let v = until(&sim, &p, status_is("RUNNING"));
    assert_eq!(v["resource_flavor"], "Si2.large.4");
    assert_eq!(v["endpoints"][0]["ssh_keys"], json!(["kp"]));
    let query = |ids: Value| {
        sim.call(
            "POST",
            "/v2/orders/suscriptions/resources/query",
            Some(json!({"resource_ids": ids})),
        )
    };
    let (s, q) = query(json!([id]));
    assert_eq!(
        (s, &q["data"], &q["total_count"]),
        (200, &json!([]), &json!(0)),
        "{q}"
    );
    // Prepaid: the order's resource, paid at once.
    let (s, v) = sim.api(
        "POST",
        "/dev-servers",
        Some(body(json!({"charging_mode": "PRE_PAID", "period_type": "MONTH", "period_num": 1, "is_auto_pay": true}))),
    );
    assert_eq!(s, 200, "{v}");
    let (pre, order) = (
        v["id"].as_str().unwrap().to_string(),
        v["order_id"].as_str().unwrap().to_string(),
    );
    let (s, o) = sim.call(
        "GET",
        &format!("/v2/orders/customer-orders/details/{order}"),
        None,
    );
    assert_eq!((s, &o["order_info"]["status"]), (200, &json!(5)), "{o}");
    let (_, q) = query(json!([id, pre]));
    assert_eq!(q["total_count"], 1, "{q}");
    assert_eq!(q["data"][0]["resource_id"], pre.as_str());
    assert_eq!(q["data"][0]["order_id"], order.as_str());
    // A prepaid server is not deleted by DELETE but unsubscribed.
    let pp = format!("/dev-servers/{pre}");
    until(&sim, &pp, status_is("RUNNING"));
    assert_eq!(
        sim.api("DELETE", &pp, None).1["error_code"],
        "ModelArts.6432"
    );
    let unsub = |ids: Value| {
        sim.call(
            "POST",
            "/v2/orders/subscriptions/resources/unsubscribe",
            Some(json!({"resource_ids": ids, "unsubscribe_type": 1})),
        )
    };
    let (s, e) = unsub(json!([id]));
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("CBC.0100")),
        "{e}"
    );
    assert!(e["error_msg"].as_str().unwrap().contains(&id), "{e}");
    assert_eq!(unsub(json!([pre])).0, 200);
    let (s, e) = unsub(json!([pre]));
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("CBC.30000067")),
        "{e}"
    );
    assert_eq!(query(json!([pre])).1["total_count"], 0);
    let (s, e) = until_gone(&sim, &pp);
    assert_eq!((s, e["error_code"].as_str()), (400, Some("ModelArts.6404")));
    let (s, e) = query(json!("not-a-list"));
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("CBC.0100")),
        "{e}"
    );
}

/// Two simulators without a seed hand out different ids; the same seed gives the same.
#[test]
fn ids_are_random_unless_seeded() {
    let first_id = |sim: Sim| {
        let (s, v) = sim.api("POST", "/notebooks", Some(json!({"name": "nb", "flavor": "modelarts.vm.cpu.2u", "image_id": IMG, "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 10}})));
        assert_eq!(s, 200, "{v}");
        v["id"].as_str().unwrap().to_string()
    };
    let seeded = |seed: &str| first_id(Sim::start(&["--seed", seed]));
    assert_eq!(seeded("7"), seeded("7"));
    assert_ne!(seeded("7"), seeded("8"));
    assert_ne!(
        first_id(Sim::start_unseeded(&[])),
        first_id(Sim::start_unseeded(&[]))
    );
}

/// One row per documented notebook create rule: the rule's name, the request fields that
/// break it, and what the service answers (status, error code, the field its message
/// names). `None` as the code: the request is accepted.
#[test]
fn notebook_create_rules_table() {
    let sim = Sim::start(&[]);
    let base = json!({"name": "rules", "flavor": "modelarts.vm.cpu.2u", "image_id": IMG, "volume": {"category": "EVS", "ownership": "MANAGED"}});
    let pool = json!({"pool_id": "pool-1", "flavor": null});
    let aff = |key: &str, values: Value| json!({"pool_id": "pool-1", "affinity": {"required_during_scheduling_ignored_during_execution": [{"key": key, "operator": "In", "values": values}]}});
    let custom = |memory: Value| {
        let mut p = pool.clone();
        p["custom_spec"] = json!({"cpu": 1, "memory": memory});
        p
    };
    let long_prefix = format!("{}/name", "a".repeat(254));
    // (rule, request fields, refusal: (error code, field the message names)).
    type Rule<'a> = (&'a str, Value, Option<(&'a str, &'a str)>);
    let rules: Vec<Rule<'_>> = vec![
        (
            "custom_spec.memory is an integer",
            custom(json!(1024.5)),
            Some(("ModelArts.6332", "custom_spec.memory")),
        ),
        (
            "custom_spec.memory is greater than 512 MiB",
            custom(json!(512)),
            Some(("ModelArts.6336", "custom_spec.memory")),
        ),
        (
            "custom_spec.memory of 100 is refused",
            custom(json!(100)),
            Some(("ModelArts.6336", "custom_spec.memory")),
        ),
        (
            "custom_spec.memory of 513 is accepted",
            custom(json!(513)),
            None,
        ),
        (
            "affinity key name at most 63 characters",
            aff(&"k".repeat(64), json!(["v"])),
            Some(("ModelArts.6336", "key")),
        ),
        (
            "affinity key name starts alphanumeric",
            aff("-abc", json!(["v"])),
            Some(("ModelArts.6336", "key")),
        ),
        (
            "affinity key name has only [A-Za-z0-9-_.]",
            aff("ab$c", json!(["v"])),
            Some(("ModelArts.6336", "key")),
        ),
        (
            "affinity key prefix is a DNS subdomain",
            aff("Bad_Prefix!/name", json!(["v"])),
            Some(("ModelArts.6336", "key")),
        ),
        (
            "affinity key prefix at most 253 characters",
            aff(&long_prefix, json!(["v"])),
            Some(("ModelArts.6336", "key")),
        ),
        (
            "affinity key with prefix is accepted",
            aff("kubernetes.io/hostname", json!(["192.168.1.1", ""])),
            None,
        ),
        (
            "affinity value starts and ends alphanumeric",
            aff("zone", json!(["-a"])),
            Some(("ModelArts.6336", "values[0]")),
        ),
        (
            "affinity value at most 63 characters",
            aff("zone", json!(["v".repeat(64)])),
            Some(("ModelArts.6336", "values[0]")),
        ),
    ];
    let mut failures = Vec::new();
    for (rule, fields, want) in rules {
        let mut body = base.clone();
        for (k, v) in fields.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        let (s, v) = sim.api("POST", "/notebooks", Some(body));
        let ok = match want {
            None => s == 200,
            Some((code, field)) => {
                s == 400
                    && v["error_code"] == code
                    && v["error_msg"].as_str().unwrap_or("").contains(field)
            }
        };
        if !ok {
            failures.push(format!("{rule}: got {s} {v}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// "DEFAULT: free CodeLab instance. You can create only one."; endpoints carry
/// `ssh_keys`; `action_progress` reports the four documented steps, and a failed create
/// reports its failed step.
#[test]
fn notebook_codelab_endpoints_and_progress() {
    let sim = Sim::start(&["--transition-ms", "400"]);
    let body = |name: &str, feature: &str| json!({"name": name, "feature": feature, "flavor": "modelarts.vm.cpu.2u", "image_id": IMG, "volume": {"category": "EVS", "ownership": "MANAGED"}, "endpoints": [{"service": "SSH", "key_pair_names": ["kp"]}]});
    let (s, v) = sim.api("POST", "/notebooks", Some(body("free", "DEFAULT")));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["endpoints"][0]["ssh_keys"], json!(["kp"]));
    let steps: Vec<(i64, String)> = v["action_progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["step"].as_i64().unwrap(),
                p["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(steps.len(), 4, "{v}");
    assert_eq!(steps[0], (1, "PROCESSING".into()));
    assert!(steps[1..].iter().all(|(_, s)| s == "WAITING"), "{steps:?}");
    let (s, e) = sim.api("POST", "/notebooks", Some(body("free2", "DEFAULT")));
    assert_eq!(
        (s, e["error_code"].as_str()),
        (400, Some("ModelArts.6302")),
        "{e}"
    );
    assert!(e["error_msg"].as_str().unwrap().contains("DEFAULT"));
    // A billed one is not limited.
    assert_eq!(
        sim.api("POST", "/notebooks", Some(body("paid", "NOTEBOOK")))
            .0,
        200
    );
    // The free one finished: all steps complete.
    let id = v["id"].as_str().unwrap();
    let v = until(&sim, &format!("/notebooks/{id}"), status_is("RUNNING"));
    assert!(
        v["action_progress"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "COMPLETED"),
        "{v}"
    );
    sim.call("POST", "/_sim/fail", Some(json!({"name": "doomed"})));
    let (_, v) = sim.api("POST", "/notebooks", Some(body("doomed", "NOTEBOOK")));
    let id = v["id"].as_str().unwrap();
    let v = until(
        &sim,
        &format!("/notebooks/{id}"),
        status_is("CREATE_FAILED"),
    );
    let p = v["action_progress"].as_array().unwrap();
    assert_eq!(
        (p[0]["status"].as_str(), p[1]["status"].as_str()),
        (Some("COMPLETED"), Some("FAILED")),
        "{v}"
    );
    assert_eq!(p[1]["step_description"], "Prepare compute resources.");
}

/// "charging_info: charging_mode, period_num, period_type — Mandatory: Yes", whatever the
/// mode; period_num 1 to 11.
#[test]
fn devserver_charging_info_periods_are_mandatory() {
    let sim = Sim::start(&[]);
    let body = |charging: Value| json!({"name": "ds", "flavor": "Si2.large.4", "image_id": "c90fb553-2cdb-4b81-b56a-ef68812c6cf7", "network": {"security_group_id": "s", "subnet_id": "n", "vpc_id": "v"}, "key_pair_name": "kp", "charging_info": charging});
    for (charging, want) in [
        (
            json!({"charging_mode": "POST_PAID"}),
            Some("charging_info.period_type"),
        ),
        (
            json!({"charging_mode": "POST_PAID", "period_type": "HOUR"}),
            Some("charging_info.period_num"),
        ),
        (
            json!({"period_type": "HOUR", "period_num": 1}),
            Some("charging_info.charging_mode"),
        ),
        (
            json!({"charging_mode": "PRE_PAID", "period_type": "MONTH", "period_num": 12}),
            Some("charging_info.period_num"),
        ),
        (
            json!({"charging_mode": "POST_PAID", "period_type": "HOUR", "period_num": 1}),
            None,
        ),
    ] {
        let (s, v) = sim.api("POST", "/dev-servers", Some(body(charging.clone())));
        match want {
            None => assert_eq!(s, 200, "{charging}: {v}"),
            Some(field) => assert!(
                s == 400 && v["error_msg"].as_str().unwrap().contains(field),
                "{charging}: {v}"
            ),
        }
    }
}

/// DevEnviron: `remain_time` counts down to the automatic stop (and stays after an
/// `auto_stop` update), `failed_reasons` {code, message, detail} explains a failed create
/// and is the documented `null` otherwise.
#[test]
fn devenv_remain_time_and_failed_reasons() {
    let sim = Sim::start(&[]);
    let body = |name: &str| {
        json!({"name": name, "profile_id": "Multi-Engine 1.0 (python3)-cpu", "flavor": "modelarts.vm.cpu.2u",
        "spec": {"storage": {"type": "evs"}, "auto_stop": {"enable": true, "duration": 3600}}})
    };
    let (s, v) = sim.api("POST", "/demanager/instances", Some(body("de-ok")));
    assert_eq!(s, 200, "{v}");
    assert!(v["spec"]
        .as_object()
        .unwrap()
        .contains_key("failed_reasons"));
    assert!(v["spec"]["failed_reasons"].is_null(), "{v}");
    let p = format!("/demanager/instances/{}", v["id"].as_str().unwrap());
    let v = until(&sim, &p, status_is("RUNNING"));
    let a = &v["spec"]["auto_stop"];
    let stop = a["stop_timestamp"].as_i64().unwrap();
    // Backdate the stop: what is left follows it.
    sim.call(
        "PATCH",
        &format!("/_sim/devenvs/{}", v["id"].as_str().unwrap()),
        Some(json!({"spec": {"auto_stop": {"stop_timestamp": stop - 1_000_000}}})),
    );
    let left = sim.api("GET", &p, None).1["spec"]["auto_stop"]["remain_time"]
        .as_i64()
        .unwrap();
    assert!((2590..=2600).contains(&left), "remain_time {left}");
    let (s, u) = sim.api(
        "PUT",
        &p,
        Some(json!({"spec": {"auto_stop": {"enable": true, "duration": 7200}}})),
    );
    assert_eq!(s, 200, "{u}");
    assert!(
        u["spec"]["auto_stop"]["remain_time"].as_i64().unwrap() <= 2600,
        "{u}"
    );
    // A failed create says why.
    sim.call("POST", "/_sim/fail", Some(json!({"name": "de-doomed"})));
    let (_, v) = sim.api("POST", "/demanager/instances", Some(body("de-doomed")));
    let p = format!("/demanager/instances/{}", v["id"].as_str().unwrap());
    let v = until(&sim, &p, status_is("CREATE_FAILED"));
    let f = &v["spec"]["failed_reasons"];
    assert!(
        f["code"].is_string() && f["message"].is_string() && f["detail"].is_object(),
        "{v}"
    );
    assert!(v["spec"]["auto_stop"].get("remain_time").is_none(), "{v}");
}
