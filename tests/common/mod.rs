//! Test harness: the built `maform` binary against a `maform sim` child process on a
//! loopback port, one temporary directory per test.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_maform");
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// A running simulator; killed when dropped.
/// The admin token every test simulator is started with.
pub const ADMIN_TOKEN: &str = "test-admin-token";

pub struct Sim {
    child: Child,
    pub url: String,
    pub addr: String,
}

impl Sim {
    pub fn start(extra: &[&str]) -> Sim {
        Sim::start_env(extra, &[])
    }

    /// Started with these environment variables too.
    pub fn start_env(extra: &[&str], env: &[(&str, &str)]) -> Sim {
        Sim::start_with(extra, env, true)
    }

    /// Started without a seed: ids drawn as a user's simulator draws them.
    #[allow(dead_code)]
    pub fn start_unseeded(extra: &[&str]) -> Sim {
        Sim::start_with(extra, &[], false)
    }

    fn start_with(extra: &[&str], env: &[(&str, &str)], seeded: bool) -> Sim {
        let mut args = vec!["sim", "--listen", "127.0.0.1:0"];
        if !extra.contains(&"--transition-ms") {
            args.extend_from_slice(&["--transition-ms", "20"]);
        }
        // A test's simulator repeats itself (ids, drawn failures) unless it asks otherwise.
        if seeded && !extra.contains(&"--seed") {
            args.extend_from_slice(&["--seed", "0"]);
        }
        args.extend_from_slice(extra);
        let mut child = Command::new(BIN)
            .current_dir(std::env::temp_dir())
            .args(&args)
            .env("MAFORM_SIM_ADMIN_TOKEN", ADMIN_TOKEN)
            .env_remove("MAFORM_SIM_ACCESS_KEY")
            .env_remove("MAFORM_SIM_SECRET_KEY")
            .env_remove("MAFORM_SIM_AUTH_TOKEN")
            .env_remove("MAFORM_SIM_USER")
            .env_remove("MAFORM_SIM_PASSWORD")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start maform sim");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        let addr = url.trim_start_matches("http://").to_string();
        Sim { child, url, addr }
    }

    /// One HTTP request; returns status, headers (lower-case names) and JSON body.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<(String, String)>, Value) {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        // The admin API with its token, unless the test says otherwise.
        if path.starts_with("/_sim")
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("x-sim-admin-token"))
        {
            req.push_str(&format!("X-Sim-Admin-Token: {ADMIN_TOKEN}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        let text = String::from_utf8_lossy(&buf).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .unwrap_or("")
            .split(' ')
            .nth(1)
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        let hdrs = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_string()
        };
        (
            status,
            hdrs,
            serde_json::from_str(&body).unwrap_or(Value::Null),
        )
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let b = body.map(|b| b.to_string()).unwrap_or_default();
        let h: Vec<(&str, &str)> = if b.is_empty() {
            vec![]
        } else {
            vec![("Content-Type", "application/json")]
        };
        let (s, _, v) = self.raw(method, path, &h, b.as_bytes());
        (s, v)
    }

    /// A v1 API call under the project.
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, &format!("/v1/{PROJECT}{path}"), body)
    }

    pub fn objects(&self, kind: &str) -> Vec<Value> {
        let (s, v) = self.call("GET", &format!("/_sim/{kind}"), None);
        assert_eq!(s, 200, "{v}");
        v["objects"].as_array().cloned().unwrap_or_default()
    }
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n.min(tail.len())]);
        rest = tail.get(n + 2..).unwrap_or("");
    }
    out
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A working directory with a configuration.
pub struct Work {
    pub dir: tempfile::TempDir,
    pub endpoint: Option<String>,
    pub env: Vec<(String, String)>,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

impl Work {
    pub fn new(sim: Option<&Sim>, files: &[(&str, &str)]) -> Work {
        let dir = tempfile::tempdir().expect("tempdir");
        for (n, t) in files {
            std::fs::write(dir.path().join(n), t).unwrap();
        }
        Work {
            dir,
            endpoint: sim.map(|s| s.url.clone()),
            env: vec![],
        }
    }

    pub fn from_example(sim: Option<&Sim>, name: &str) -> Work {
        let w = Work::new(sim, &[]);
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        for e in std::fs::read_dir(src).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, w.dir.path().join(p.file_name().unwrap())).unwrap();
            }
        }
        w
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Out {
        let o = self.command(args).output().expect("run maform");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }

    /// The command `run` runs, to start in the background.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        // The child runs in the test's own directory, never the repository's: a command
        // that writes relative to its working directory cannot touch the source tree.
        c.current_dir(self.dir.path())
            .arg("--chdir")
            .arg(self.dir.path())
            .args(args)
            .stdin(Stdio::null());
        for k in [
            "HW_ACCESS_KEY",
            "HW_SECRET_KEY",
            "HW_AUTH_TOKEN",
            "HW_REGION_NAME",
            "HW_PROJECT_ID",
            "HW_MODELARTS_ENDPOINT",
            "OS_ACCESS_KEY",
            "OS_SECRET_KEY",
        ] {
            c.env_remove(k);
        }
        if let Some(e) = &self.endpoint {
            c.env("HW_MODELARTS_ENDPOINT", e)
                .env("HW_PROJECT_ID", PROJECT);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    pub fn state(&self) -> Value {
        serde_json::from_slice(
            &std::fs::read(self.dir.path().join("state/default.json")).expect("state file"),
        )
        .unwrap()
    }

    /// Instance attributes by address.
    pub fn instance(&self, rtype: &str, name: &str) -> Value {
        let st = self.state();
        st["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == rtype && r["name"] == name)
            .map(|r| r["instances"][0]["attributes"].clone())
            .unwrap_or(Value::Null)
    }
}
