//! What each resource kind's arguments are: types, required/optional/computed, which
//! changes force replacement, which are write-only or sensitive, how the service
//! normalises them, and the documented constraints, checked at plan time.

use crate::config::{Block, Body, Diag};
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Optional; when unset, the service chooses and the state keeps its choice.
    OptionalComputed,
    Computed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    None,
    Upper,
    Lower,
}

#[derive(Clone, Debug)]
pub enum Ty {
    Str,
    Num,
    Int,
    Bool,
    StrList,
    StrMap,
    /// A nested block, once (`volume { }`) or repeated (`endpoints { } endpoints { }`).
    Block(Box<Schema>, bool),
}

pub type Check = fn(&Value) -> Result<(), String>;

#[derive(Clone, Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub presence: Presence,
    pub force_new: bool,
    pub sensitive: bool,
    /// Sent to the service but never returned by it: the state keeps what was sent.
    pub write_only: bool,
    pub norm: Norm,
    pub one_of: &'static [&'static str],
    pub check: Option<Check>,
    pub doc: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub attrs: Vec<Attr>,
}

fn attr(name: &'static str, ty: Ty, presence: Presence) -> Attr {
    Attr {
        name,
        ty,
        presence,
        force_new: false,
        sensitive: false,
        write_only: false,
        norm: Norm::None,
        one_of: &[],
        check: None,
        doc: "",
    }
}
fn req(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::Required)
}
fn opt(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::Optional)
}
fn optc(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::OptionalComputed)
}
fn comp(name: &'static str, ty: Ty) -> Attr {
    attr(name, ty, Presence::Computed)
}
fn block(name: &'static str, s: Schema, repeated: bool, presence: Presence) -> Attr {
    attr(name, Ty::Block(Box::new(s), repeated), presence)
}

impl Attr {
    fn forces_new(mut self) -> Attr {
        self.force_new = true;
        self
    }
    fn wo(mut self) -> Attr {
        self.write_only = true;
        self
    }
    fn secret(mut self) -> Attr {
        self.sensitive = true;
        self
    }
    fn upper(mut self, allowed: &'static [&'static str]) -> Attr {
        self.norm = Norm::Upper;
        self.one_of = allowed;
        self
    }
    fn lower(mut self, allowed: &'static [&'static str]) -> Attr {
        self.norm = Norm::Lower;
        self.one_of = allowed;
        self
    }
    fn check(mut self, c: Check) -> Attr {
        self.check = Some(c);
        self
    }
    pub fn is_block(&self) -> bool {
        matches!(self.ty, Ty::Block(..))
    }
    pub fn computed(&self) -> bool {
        matches!(
            self.presence,
            Presence::Computed | Presence::OptionalComputed
        )
    }
}

impl Schema {
    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

// ---- constraints from the API documents ----

fn name_chars(v: &Value, max: usize, extra: &str) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    if s.is_empty() || s.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    match s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(*c)))
    {
        Some(c) => Err(format!(
            "the character {c:?} is not allowed; use letters, digits and {}",
            extra
                .chars()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(" ")
        )),
        None => Ok(()),
    }
}
fn nb_name(v: &Value) -> Result<(), String> {
    name_chars(v, 128, "-_")
}
fn ds_name(v: &Value) -> Result<(), String> {
    name_chars(v, 64, "-_.")
}
fn de_name(v: &Value) -> Result<(), String> {
    name_chars(v, 64, "-_")
}
fn description(v: &Value) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    if s.chars().count() > 512 {
        return Err("must be at most 512 characters".into());
    }
    match s.chars().find(|c| "&<>\"'/".contains(*c)) {
        Some(c) => Err(format!(
            "the character {c:?} is not allowed (none of & < > \" ' /)"
        )),
        None => Ok(()),
    }
}
fn range(v: &Value, lo: f64, hi: f64) -> Result<(), String> {
    match v.as_f64() {
        Some(n) if n >= lo && n <= hi => Ok(()),
        Some(n) => Err(format!(
            "{} is out of range {}–{}",
            crate::value::fmt_number(n),
            crate::value::fmt_number(lo),
            crate::value::fmt_number(hi)
        )),
        None => Ok(()),
    }
}
fn lease_ms(v: &Value) -> Result<(), String> {
    if v.as_f64() == Some(-1.0) {
        return Ok(());
    }
    range(v, 3_600_000.0, 259_200_000.0)
        .map_err(|e| format!("{e} milliseconds (1 h to 72 h), or -1 to disable auto-stop"))
}
fn evs_size(v: &Value) -> Result<(), String> {
    range(v, 5.0, 4096.0).map_err(|e| format!("{e} GB"))
}
fn root_size(v: &Value) -> Result<(), String> {
    range(v, 100.0, 1024.0).map_err(|e| format!("{e} GB"))
}
fn auto_stop_secs(v: &Value) -> Result<(), String> {
    range(v, 3600.0, 86400.0).map_err(|e| format!("{e} seconds"))
}
fn period_num(v: &Value) -> Result<(), String> {
    range(v, 1.0, 11.0)
}
fn weight(v: &Value) -> Result<(), String> {
    range(v, 0.0, 100.0)
}
fn five_ips(v: &Value) -> Result<(), String> {
    let l = v.as_list().map(|l| l.as_slice()).unwrap_or(&[]);
    if l.len() > 5 {
        return Err("at most 5 addresses".into());
    }
    for ip in l {
        let s = ip.as_str().unwrap_or("");
        if s.split('/')
            .next()
            .unwrap_or("")
            .parse::<std::net::IpAddr>()
            .is_err()
        {
            return Err(format!("{s:?} is not an IP address"));
        }
    }
    Ok(())
}
fn workspace(v: &Value) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    if s == "0"
        || (s.len() == 32
            && s.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()))
    {
        Ok(())
    } else {
        Err("must be \"0\" or 32 digits and lowercase letters".into())
    }
}
fn positive_cpu(v: &Value) -> Result<(), String> {
    match v.as_f64() {
        Some(n) if n <= 0.3 => Err("must be greater than 0.3 cores".into()),
        _ => Ok(()),
    }
}
fn base64(v: &Value) -> Result<(), String> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap_or(""))
        .map(|_| ())
        .map_err(|_| "must be base64; use base64encode()".into())
}
fn mount_path(v: &Value) -> Result<(), String> {
    if v.as_str().is_some_and(|s| s.starts_with('/')) {
        Ok(())
    } else {
        Err("must be an absolute path".into())
    }
}
/// The DevServer password rules.
pub fn admin_pass(v: &Value) -> Result<(), String> {
    let p = v.as_str().unwrap_or("");
    let n = p.chars().count();
    if !(8..=26).contains(&n) {
        return Err("must contain 8 to 26 characters".into());
    }
    const SPECIAL: &str = "!@%-_=+[{}]:,./?";
    if p.chars()
        .any(|c| !(c.is_ascii_alphanumeric() || SPECIAL.contains(c)))
    {
        return Err(format!("may contain only letters, digits and {SPECIAL}"));
    }
    let classes = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| SPECIAL.contains(c)),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err("must contain at least three of: uppercase letters, lowercase letters, digits, special characters".into());
    }
    let lower = p.to_ascii_lowercase();
    if ["root", "toor", "administrator", "rotartsinimda"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Err("cannot contain root, administrator or their reverse".into());
    }
    Ok(())
}

fn desired_state() -> Attr {
    opt("desired_state", Ty::Str).upper(&["RUNNING", "STOPPED"])
}

fn volume_schema(data: bool) -> Schema {
    let mut attrs = vec![
        req("category", Ty::Str)
            .upper(&["EVS", "EFS", "SFS", "OBS", "OBSFS"])
            .forces_new(),
        optc("ownership", Ty::Str)
            .upper(&["MANAGED", "DEDICATED"])
            .forces_new(),
        optc("capacity", Ty::Int).check(evs_size),
        opt("uri", Ty::Str).forces_new(),
        opt("id", Ty::Str).forces_new(),
        optc("mount_path", Ty::Str).forces_new().check(mount_path),
        optc("read_only", Ty::Bool).forces_new(),
        opt("dew_secret_name", Ty::Str),
    ];
    if data {
        for a in &mut attrs {
            a.write_only = true;
            if a.presence == Presence::OptionalComputed {
                a.presence = Presence::Optional;
            }
        }
    }
    Schema { attrs }
}

fn affinity_rule() -> Schema {
    Schema {
        attrs: vec![
            req("key", Ty::Str),
            req("operator", Ty::Str).check(|v| match v.as_str() {
                Some("In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt") | None => Ok(()),
                Some(o) => Err(format!(
                    "{o:?} is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt"
                )),
            }),
            opt("values", Ty::StrList),
            opt("weight", Ty::Int).check(weight),
        ],
    }
}

fn hook_config() -> Schema {
    Schema {
        attrs: vec![
            req("script", Ty::Str),
            opt("type", Ty::Str).upper(&["COMMAND", "SCRIPT"]),
            opt("mode", Ty::Str),
        ],
    }
}

pub static NOTEBOOK: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).check(nb_name),
        opt("description", Ty::Str).check(description),
        optc("flavor", Ty::Str),
        req("image_id", Ty::Str),
        optc("feature", Ty::Str)
            .upper(&["NOTEBOOK", "DEFAULT"])
            .forces_new(),
        opt("duration", Ty::Int).check(lease_ms).wo(),
        block(
            "lease",
            Schema {
                attrs: vec![
                    optc("duration", Ty::Int).check(lease_ms),
                    optc("type", Ty::Str).upper(&["TIMING", "IDLE"]),
                ],
            },
            false,
            Presence::OptionalComputed,
        ),
        block(
            "endpoints",
            Schema {
                attrs: vec![
                    optc("service", Ty::Str).upper(&["NOTEBOOK", "SSH"]),
                    opt("key_pair_names", Ty::StrList),
                    opt("allowed_access_ips", Ty::StrList).check(five_ips),
                ],
            },
            true,
            Presence::Optional,
        ),
        opt("pool_id", Ty::Str).forces_new(),
        optc("workspace_id", Ty::Str).forces_new().check(workspace),
        block("volume", volume_schema(false), false, Presence::Required),
        block(
            "hooks",
            Schema {
                attrs: vec![block(
                    "container_hooks",
                    Schema {
                        attrs: vec![
                            block("pre_start", hook_config(), false, Presence::Optional),
                            block("post_start", hook_config(), false, Presence::Optional),
                        ],
                    },
                    false,
                    Presence::Optional,
                )],
            },
            false,
            Presence::Optional,
        )
        .wo(),
        block(
            "custom_spec",
            Schema {
                attrs: vec![
                    req("cpu", Ty::Num).check(positive_cpu),
                    req("memory", Ty::Num).check(|v| {
                        range(v, 512.0, f64::MAX).map_err(|_| "must be more than 512 MiB".into())
                    }),
                    opt("gpu", Ty::Num).check(|v| range(v, 0.0, f64::MAX)),
                    opt("gpu_type", Ty::Str),
                    optc("arch", Ty::Str).check(|v| match v.as_str() {
                        Some(a)
                            if a.eq_ignore_ascii_case("x86_64")
                                || a.eq_ignore_ascii_case("aarch64") =>
                        {
                            Ok(())
                        }
                        None => Ok(()),
                        Some(a) => Err(format!("{a:?} is not x86_64 or AARCH64")),
                    }),
                    optc("category", Ty::Str).upper(&["CPU", "GPU"]),
                    opt("resource_flavor", Ty::Str),
                ],
            },
            false,
            Presence::Optional,
        ),
        block(
            "affinity",
            Schema {
                attrs: vec![
                    block(
                        "required_during_scheduling_ignored_during_execution",
                        affinity_rule(),
                        true,
                        Presence::Optional,
                    ),
                    block(
                        "preferred_during_scheduling_ignored_during_execution",
                        affinity_rule(),
                        true,
                        Presence::Optional,
                    ),
                ],
            },
            false,
            Presence::Optional,
        ),
        block(
            "run_user",
            Schema {
                attrs: vec![optc("uid", Ty::Int), optc("gid", Ty::Int)],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        block(
            "data_volumes",
            volume_schema(true),
            true,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        block(
            "user_vpc",
            Schema {
                attrs: vec![
                    req("vpc_id", Ty::Str),
                    req("subnet_id", Ty::Str),
                    opt("security_group_ids", Ty::StrList),
                    opt("connect_cidrs", Ty::StrList),
                    opt("nat_id", Ty::Str),
                    opt("eip_id", Ty::Str),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new(),
        block(
            "public_network_config",
            Schema {
                attrs: vec![opt("public_network_type", Ty::Str)],
            },
            false,
            Presence::Optional,
        )
        .wo(),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
        comp("url", Ty::Str),
        comp("token", Ty::Str).secret(),
        comp("image_name", Ty::Str),
        comp("image_swr_path", Ty::Str),
        comp("ip", Ty::Str),
        comp("ssh_uri", Ty::Str),
        comp("auto_stop_enabled", Ty::Bool),
        comp("created_at", Ty::Int),
        comp("updated_at", Ty::Int),
    ],
});

pub static DEVSERVER: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).check(ds_name),
        opt("flavor", Ty::Str).forces_new(),
        opt("resource_flavor", Ty::Str).forces_new(),
        req("image_id", Ty::Str).forces_new(),
        optc("server_type", Ty::Str)
            .upper(&["BMS", "ECS", "HPS"])
            .forces_new(),
        optc("arch", Ty::Str).upper(&["X86", "ARM"]).forces_new(),
        opt("availability_zone", Ty::Str).forces_new().wo(),
        opt("admin_pass", Ty::Str)
            .forces_new()
            .wo()
            .secret()
            .check(admin_pass),
        opt("key_pair_name", Ty::Str).forces_new(),
        block(
            "network",
            Schema {
                attrs: vec![
                    req("vpc_id", Ty::Str),
                    req("subnet_id", Ty::Str),
                    req("security_group_id", Ty::Str),
                    opt("ipv6_enable", Ty::Bool),
                    opt("roce_id", Ty::Str),
                ],
            },
            false,
            Presence::Required,
        )
        .forces_new()
        .wo(),
        block(
            "root_volume",
            Schema {
                attrs: vec![
                    optc("size", Ty::Int).check(root_size),
                    optc("type", Ty::Str).upper(&["ESSD", "SSD", "GPSSD", "SAS", "SATA"]),
                ],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        block(
            "data_volume",
            Schema {
                attrs: vec![
                    req("size", Ty::Int).check(|v| range(v, 10.0, 32768.0)),
                    opt("type", Ty::Str).upper(&["ESSD", "SSD", "GPSSD", "SAS", "SATA"]),
                    opt("count", Ty::Int).check(|v| range(v, 1.0, 23.0)),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        block(
            "charging_info",
            Schema {
                attrs: vec![
                    req("charging_mode", Ty::Str).upper(&["COMMON", "POST_PAID", "PRE_PAID"]),
                    opt("period_type", Ty::Str)
                        .upper(&["ABSOLUTE", "DAY", "HOUR", "MONTH", "WEEK", "YEAR"]),
                    opt("period_num", Ty::Int).check(period_num),
                    opt("is_auto_renew", Ty::Bool),
                    opt("is_auto_pay", Ty::Bool),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        opt("enterprise_project_id", Ty::Str).forces_new().wo(),
        opt("user_data", Ty::Str).forces_new().wo().check(base64),
        opt("hps_cluster_id", Ty::Str).forces_new().wo(),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
        comp("charging_mode", Ty::Str),
        comp("order_id", Ty::Str),
        comp("private_ip", Ty::Str),
        comp("image_name", Ty::Str),
        comp("category", Ty::Str),
        comp("created_at", Ty::Int),
        comp("updated_at", Ty::Int),
    ],
});

fn devenv_storage(extend: bool) -> Schema {
    Schema {
        attrs: vec![
            req("type", Ty::Str).lower(if extend {
                &["obsfs"]
            } else {
                &["obs", "obsfs", "evs"]
            }),
            block(
                "location",
                Schema {
                    attrs: vec![
                        optc("path", Ty::Str),
                        optc("volume_size", Ty::Int).check(evs_size),
                        optc("mount_path", Ty::Str).check(mount_path),
                        optc("access_modes", Ty::Str).check(|v| match v.as_str() {
                            Some("ReadOnlyMany" | "ReadWriteMany") | None => Ok(()),
                            Some(m) => Err(format!("{m:?} is not ReadOnlyMany or ReadWriteMany")),
                        }),
                    ],
                },
                false,
                Presence::OptionalComputed,
            ),
        ],
    }
}

pub static DEVENV: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        req("name", Ty::Str).forces_new().check(de_name),
        req("profile_id", Ty::Str).forces_new(),
        opt("description", Ty::Str).check(description),
        req("flavor", Ty::Str).forces_new(),
        block(
            "spec",
            Schema {
                attrs: vec![
                    block("storage", devenv_storage(false), false, Presence::Required).forces_new(),
                    block(
                        "extend_storage",
                        devenv_storage(true),
                        true,
                        Presence::Optional,
                    )
                    .forces_new(),
                    block(
                        "auto_stop",
                        Schema {
                            attrs: vec![
                                optc("enable", Ty::Bool),
                                opt("duration", Ty::Int).check(auto_stop_secs),
                                optc("prompt", Ty::Bool),
                            ],
                        },
                        false,
                        Presence::OptionalComputed,
                    ),
                    opt("annotations", Ty::StrMap).forces_new(),
                ],
            },
            false,
            Presence::Required,
        ),
        block(
            "workspace",
            Schema {
                attrs: vec![optc("id", Ty::Str)],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        block(
            "pool",
            Schema {
                attrs: vec![
                    req("id", Ty::Str),
                    opt("type", Ty::Str),
                    opt("name", Ty::Str),
                    block(
                        "owner",
                        Schema {
                            attrs: vec![opt("project_id", Ty::Str)],
                        },
                        false,
                        Presence::Optional,
                    ),
                ],
            },
            false,
            Presence::Optional,
        )
        .forces_new()
        .wo(),
        block(
            "ai_project",
            Schema {
                attrs: vec![optc("id", Ty::Str)],
            },
            false,
            Presence::OptionalComputed,
        )
        .forces_new(),
        desired_state(),
        comp("id", Ty::Str),
        comp("status", Ty::Str),
        comp("url", Ty::Str),
        comp("created_at", Ty::Str),
        comp("updated_at", Ty::Str),
    ],
});

pub static DATA_IMAGES: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("name_regex", Ty::Str),
        opt("type", Ty::Str).upper(&["BUILD_IN", "DEDICATED"]),
        opt("arch", Ty::Str),
        opt("category", Ty::Str).upper(&["CPU", "GPU", "ASCEND"]),
        opt("most_recent", Ty::Bool),
        comp("id", Ty::Str),
        comp("tag", Ty::Str),
        comp("swr_path", Ty::Str),
        comp("images", Ty::StrList),
    ],
});

pub static DATA_FLAVORS: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("category", Ty::Str).upper(&["CPU", "GPU", "ASCEND"]),
        opt("arch", Ty::Str),
        opt("min_vcpus", Ty::Int),
        opt("min_memory_gb", Ty::Int),
        opt("free", Ty::Bool),
        comp("id", Ty::Str),
        comp("vcpus", Ty::Int),
        comp("memory_gb", Ty::Int),
        comp("flavors", Ty::StrList),
    ],
});

pub static DATA_DS_IMAGES: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("name_regex", Ty::Str),
        opt("server_type", Ty::Str).upper(&["BMS", "ECS", "HPS"]),
        opt("arch", Ty::Str).upper(&["X86", "ARM"]),
        opt("flavor_name", Ty::Str),
        comp("id", Ty::Str),
        comp("images", Ty::StrList),
    ],
});

pub static DATA_DS_FLAVORS: LazyLock<Schema> = LazyLock::new(|| Schema {
    attrs: vec![
        opt("name", Ty::Str),
        opt("server_type", Ty::Str).upper(&["BMS", "ECS", "HPS"]),
        opt("arch", Ty::Str).upper(&["X86", "ARM"]),
        comp("id", Ty::Str),
        comp("specification", Ty::Str),
        comp("flavors", Ty::StrList),
    ],
});

pub fn for_type(rtype: &str) -> Option<&'static Schema> {
    Some(match rtype {
        "modelarts_notebook" => &NOTEBOOK,
        "modelarts_devserver" => &DEVSERVER,
        "modelarts_devenv" => &DEVENV,
        "modelarts_images" => &DATA_IMAGES,
        "modelarts_flavors" => &DATA_FLAVORS,
        "modelarts_devserver_images" => &DATA_DS_IMAGES,
        "modelarts_devserver_flavors" => &DATA_DS_FLAVORS,
        _ => return None,
    })
}

/// Decode a block body against a schema: evaluate every argument with `eval`, check
/// types and constraints, normalise enumerations. Unknown values pass through.
pub fn decode(
    schema: &Schema,
    body: &Body,
    path: &str,
    span: &crate::config::Span,
    eval: &dyn Fn(&crate::config::Attr) -> Result<Value, Diag>,
    errs: &mut Vec<Diag>,
) -> Value {
    let mut out = BTreeMap::new();
    for (k, a) in &body.attrs {
        match schema.get(k) {
            Some(at) if at.presence == Presence::Computed => errs.push(Diag::new(
                Some(&a.span),
                format!("{}{k} is computed and cannot be set", prefix(path)),
                "Remove it; the service sets it.",
            )),
            Some(at) if at.is_block() => errs.push(Diag::new(
                Some(&a.span),
                format!("{}{k} is a block", prefix(path)),
                format!("Write {k} {{ ... }} instead of {k} = ..."),
            )),
            Some(_) => {}
            None => errs.push(unknown_arg(schema, path, k, &a.span)),
        }
    }
    for b in &body.blocks {
        match schema.get(&b.ident) {
            Some(at) if at.is_block() => {}
            Some(_) => errs.push(Diag::new(
                Some(&b.span),
                format!("{}{} is an argument, not a block", prefix(path), b.ident),
                format!("Write {} = ...", b.ident),
            )),
            None => errs.push(unknown_arg(schema, path, &b.ident, &b.span)),
        }
    }
    for at in &schema.attrs {
        let full = format!("{}{}", prefix(path), at.name);
        match &at.ty {
            Ty::Block(inner, repeated) => {
                let blocks: Vec<&Block> =
                    body.blocks.iter().filter(|b| b.ident == at.name).collect();
                if !*repeated && blocks.len() > 1 {
                    errs.push(Diag::new(
                        Some(&blocks[1].span),
                        format!("only one {full} block is allowed"),
                        format!("The first one is at {}.", blocks[0].span),
                    ));
                }
                if blocks.is_empty() {
                    if at.presence == Presence::Required {
                        errs.push(Diag::new(
                            Some(span),
                            format!("missing required block {full}"),
                            format!(
                                "Add {} {{ ... }}; see the README's reference for its arguments.",
                                at.name
                            ),
                        ));
                    }
                    continue;
                }
                let decoded: Vec<Value> = blocks
                    .iter()
                    .map(|b| decode(inner, &b.body, &full, &b.span, eval, errs))
                    .collect();
                out.insert(
                    at.name.to_string(),
                    if *repeated {
                        Value::List(decoded)
                    } else {
                        decoded.into_iter().next().unwrap_or_default()
                    },
                );
            }
            ty => {
                let Some(a) = body.attrs.get(at.name) else {
                    if at.presence == Presence::Required {
                        errs.push(Diag::new(
                            Some(span),
                            format!("missing required argument {full}"),
                            format!("Add {} = ...", at.name),
                        ));
                    }
                    continue;
                };
                let v = match eval(a) {
                    Ok(v) => v,
                    Err(e) => {
                        errs.push(e);
                        continue;
                    }
                };
                match check_value(at, ty, v) {
                    Ok(v) => {
                        out.insert(at.name.to_string(), v);
                    }
                    Err(m) => errs.push(Diag::new(
                        Some(&a.span),
                        format!("invalid value for {full}"),
                        m,
                    )),
                }
            }
        }
    }
    Value::Map(out)
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    }
}

fn unknown_arg(schema: &Schema, path: &str, k: &str, span: &crate::config::Span) -> Diag {
    let names: Vec<&str> = schema
        .attrs
        .iter()
        .filter(|a| a.presence != Presence::Computed)
        .map(|a| a.name)
        .collect();
    let near = names
        .iter()
        .min_by_key(|n| edit_distance(n, k))
        .filter(|n| edit_distance(n, k) <= 3);
    let hint = match near {
        Some(n) => format!("Did you mean {n:?}?"),
        None => format!("Valid arguments here: {}.", names.join(", ")),
    };
    Diag::new(
        Some(span),
        format!("unsupported argument {}{k}", prefix(path)),
        hint,
    )
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

fn check_value(at: &Attr, ty: &Ty, v: Value) -> Result<Value, String> {
    if matches!(v, Value::Unknown | Value::Null) {
        return Ok(v);
    }
    let v = match (ty, v) {
        (Ty::Str, v) => Value::String(
            v.to_template_string()
                .ok_or_else(|| format!("a string is required, got a {}", v.type_name()))?,
        ),
        (Ty::Num | Ty::Int, v) => {
            let n = crate::config::eval::num(&v)
                .ok_or_else(|| format!("a number is required, got {}", v.to_hcl()))?;
            if matches!(ty, Ty::Int) && n.fract() != 0.0 {
                return Err(format!(
                    "a whole number is required, got {}",
                    crate::value::fmt_number(n)
                ));
            }
            Value::Number(n)
        }
        (Ty::Bool, Value::Bool(b)) => Value::Bool(b),
        (Ty::Bool, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Ty::Bool, v) => return Err(format!("true or false is required, got {}", v.to_hcl())),
        (Ty::StrList, Value::List(l)) => Value::List(
            l.into_iter()
                .map(|x| {
                    if x.is_known() {
                        x.to_template_string()
                            .map(Value::String)
                            .ok_or_else(|| "a list of strings is required".to_string())
                    } else {
                        Ok(x)
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        (Ty::StrList, v) => {
            return Err(format!(
                "a list of strings is required, got a {}",
                v.type_name()
            ))
        }
        (Ty::StrMap, Value::Map(m)) => Value::Map(
            m.into_iter()
                .map(|(k, x)| {
                    if x.is_known() {
                        x.to_template_string()
                            .map(|s| (k, Value::String(s)))
                            .ok_or_else(|| "a map of strings is required".to_string())
                    } else {
                        Ok((k, x))
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        (Ty::StrMap, v) => {
            return Err(format!(
                "a map of strings is required, got a {}",
                v.type_name()
            ))
        }
        (Ty::Block(..), _) => unreachable!("blocks are decoded separately"),
    };
    let v = normalise(at, v);
    if !at.one_of.is_empty() {
        if let Some(s) = v.as_str() {
            if !at.one_of.contains(&s) {
                return Err(format!(
                    "{s:?} is not one of {} (case does not matter)",
                    at.one_of.join(", ")
                ));
            }
        }
    }
    if let Some(c) = at.check {
        c(&v)?;
    }
    Ok(v)
}

pub fn normalise(at: &Attr, v: Value) -> Value {
    match (at.norm, v) {
        (Norm::Upper, Value::String(s)) => Value::String(s.to_ascii_uppercase()),
        (Norm::Lower, Value::String(s)) => Value::String(s.to_ascii_lowercase()),
        (_, v) => v,
    }
}

/// Paths of sensitive attributes that hold a value, for the state and the renderers.
pub fn sensitive_paths(schema: &Schema, v: &Value) -> Vec<crate::value::Path> {
    let mut out = Vec::new();
    fn walk(s: &Schema, v: &Value, at: &mut crate::value::Path, out: &mut Vec<crate::value::Path>) {
        for a in &s.attrs {
            let x = v.get(a.name);
            if x.is_null() {
                continue;
            }
            at.push(crate::value::PathStep::Key(a.name.to_string()));
            if a.sensitive {
                out.push(at.clone());
            } else if let Ty::Block(inner, rep) = &a.ty {
                if *rep {
                    for (i, e) in x.as_list().into_iter().flatten().enumerate() {
                        at.push(crate::value::PathStep::Index(i));
                        walk(inner, e, at, out);
                        at.pop();
                    }
                } else {
                    walk(inner, x, at, out);
                }
            }
            at.pop();
        }
    }
    walk(schema, v, &mut Vec::new(), &mut out);
    out
}

/// Sensitive paths of an object of type `rtype`: what its schema marks, plus `extra`
/// (arguments whose expressions read secrets), sorted and unique.
pub fn sensitive_for(
    rtype: &str,
    v: &Value,
    extra: &[crate::value::Path],
) -> Vec<crate::value::Path> {
    let mut out: Vec<crate::value::Path> = for_type(rtype)
        .map(|s| sensitive_paths(s, v))
        .unwrap_or_default();
    out.extend(extra.iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// The configuration reference for the README, generated from the schemas so that it
/// cannot drift from the code.
pub fn reference_markdown() -> String {
    fn rows(s: &Schema, prefix: &str, out: &mut String) {
        for a in &s.attrs {
            let name = format!("{prefix}{}", a.name);
            let ty = match &a.ty {
                Ty::Str => "string".to_string(),
                Ty::Num => "number".to_string(),
                Ty::Int => "integer".to_string(),
                Ty::Bool => "bool".to_string(),
                Ty::StrList => "list(string)".to_string(),
                Ty::StrMap => "map(string)".to_string(),
                Ty::Block(_, true) => "blocks".to_string(),
                Ty::Block(_, false) => "block".to_string(),
            };
            let presence = match a.presence {
                Presence::Required => "required",
                Presence::Optional => "optional",
                Presence::OptionalComputed => "optional, computed",
                Presence::Computed => "computed",
            };
            let mut notes: Vec<String> = Vec::new();
            if a.force_new {
                notes.push("forces replacement".into());
            }
            if a.sensitive {
                notes.push("sensitive".into());
            }
            if a.write_only {
                notes.push("write-only (not returned by the API)".into());
            }
            if !a.one_of.is_empty() {
                notes.push(format!("one of {}", a.one_of.join(", ")));
            }
            if a.name == "desired_state" {
                notes.push("maform starts or stops the instance to match".into());
            }
            out.push_str(&format!(
                "| `{name}` | {ty} | {presence} | {} |\n",
                notes.join("; ")
            ));
            if let Ty::Block(inner, _) = &a.ty {
                rows(inner, &format!("{name}."), out);
            }
        }
    }
    let mut out = String::new();
    for (t, s) in [
        ("modelarts_notebook", &*NOTEBOOK),
        ("modelarts_devserver", &*DEVSERVER),
        ("modelarts_devenv", &*DEVENV),
        ("data modelarts_images", &*DATA_IMAGES),
        ("data modelarts_flavors", &*DATA_FLAVORS),
        ("data modelarts_devserver_images", &*DATA_DS_IMAGES),
        ("data modelarts_devserver_flavors", &*DATA_DS_FLAVORS),
    ] {
        out.push_str(&format!(
            "#### `{t}`\n\n| argument | type | | notes |\n| --- | --- | --- | --- |\n"
        ));
        rows(s, "", &mut out);
        out.push('\n');
    }
    out
}

/// Replace sensitive write-only values (the DevServer password) by their SHA-256, so the
/// state never holds them in clear and a changed value is still detected.
pub fn digest_secrets(s: &Schema, v: &mut Value) {
    let Value::Map(m) = v else { return };
    for a in &s.attrs {
        let Some(x) = m.get_mut(a.name) else { continue };
        match (&a.ty, x) {
            (_, Value::String(p)) if a.sensitive && a.write_only && !p.starts_with("sha256:") => {
                use sha2::Digest;
                *p = format!("sha256:{}", hex::encode(sha2::Sha256::digest(p.as_bytes())));
            }
            (Ty::Block(inner, true), Value::List(l)) => {
                l.iter_mut().for_each(|e| digest_secrets(inner, e))
            }
            (Ty::Block(inner, false), x) => digest_secrets(inner, x),
            _ => {}
        }
    }
}
