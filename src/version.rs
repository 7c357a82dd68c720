//! maform's own version, and version constraints as Terraform writes them
//! (`">= 0.1, < 2"`, `"~> 0.1.0"`): `required_version` in the settings block, and the
//! check that refuses a state written by a newer maform.

/// This maform's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A version as numbers: `1.2.3` (missing parts are 0; a pre-release suffix is ignored).
pub fn parse(v: &str) -> Option<Vec<u64>> {
    let core = v.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next()?;
    let parts: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 3)
}

fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let at = |v: &[u64], i| v.get(i).copied().unwrap_or(0);
    (0..3)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// Whether version `a` is newer than `b` (an unreadable version is not).
pub fn newer(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => cmp(&a, &b).is_gt(),
        _ => false,
    }
}

/// Whether `version` meets every comma-separated constraint of `spec`; the error says
/// which part of the constraint cannot be read.
pub fn satisfies(spec: &str, version: &str) -> Result<bool, String> {
    let have = parse(version).ok_or_else(|| format!("{version:?} is not a version"))?;
    for c in spec.split(',') {
        let c = c.trim();
        let (op, v) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| c.strip_prefix(op).map(|rest| (*op, rest.trim())))
            .unwrap_or(("=", c));
        let want = parse(v).ok_or_else(|| {
            format!("{c:?} is not a version constraint such as \">= 0.1\" or \"~> 0.1.0\"")
        })?;
        let o = cmp(&have, &want);
        let ok = match op {
            "=" => o.is_eq(),
            "!=" => o.is_ne(),
            ">" => o.is_gt(),
            ">=" => o.is_ge(),
            "<" => o.is_lt(),
            "<=" => o.is_le(),
            // The rightmost given part may grow: ~> 1.2 means >= 1.2, < 2.0.
            _ => {
                let mut upper = want.clone();
                if upper.len() > 1 {
                    upper.pop();
                }
                let last = upper.len() - 1;
                upper[last] = upper[last].checked_add(1).ok_or_else(|| {
                    format!("{c:?} is not a version constraint such as \">= 0.1\" or \"~> 0.1.0\"")
                })?;
                o.is_ge() && cmp(&have, &upper).is_lt()
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints_read_as_terraform_reads_them() {
        for (spec, v, want) in [
            (">= 0.1", "0.1.0", true),
            (">= 1.5", "0.1.0", false),
            (">= 0.1, < 0.2", "0.1.9", true),
            ("~> 0.1.0", "0.1.7", true),
            ("~> 0.1.0", "0.2.0", false),
            ("~> 0.1", "0.9.0", true),
            ("~> 1", "1.9.0", true),
            ("~> 1", "2.0.0", false),
            ("0.1.0", "0.1.0", true),
            ("!= 0.1.0", "0.1.0", false),
        ] {
            assert_eq!(satisfies(spec, v), Ok(want), "{spec} {v}");
        }
        assert!(super::newer("0.2.0", "0.1.9"));
        assert!(!super::newer("0.1.0", "0.1.0"));
        assert!(!super::newer("garbage", "0.1.0"));
        assert!(satisfies(">= one", "0.1.0")
            .unwrap_err()
            .contains("not a version constraint"));
    }
}
