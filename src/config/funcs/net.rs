//! IP network functions over IPv4 and IPv6 prefixes in CIDR notation.

use super::{arity, int, s};
use crate::value::Value;
use std::net::IpAddr;

pub(super) fn call(name: &str, args: &[Value]) -> Option<Result<Value, String>> {
    Some(match name {
        "cidrhost" => arity(args, 2).and_then(|()| {
            let p = Prefix::parse(&s(&args[0], "the prefix")?)?;
            let host = int(&args[1], "the host number")?;
            let size = p.host_bits();
            let count: i128 = if size >= 127 {
                i128::MAX
            } else {
                1i128 << size
            };
            let h: i128 = if host < 0 {
                count + host as i128
            } else {
                host as i128
            };
            if h < 0 || h >= count {
                return Err(format!(
                    "the prefix {} has no host number {host}",
                    s(&args[0], "")?
                ));
            }
            Ok(Value::String(p.addr(p.base() | h as u128)))
        }),
        "cidrnetmask" => arity(args, 1).and_then(|()| {
            let p = Prefix::parse(&s(&args[0], "the prefix")?)?;
            if p.v6 {
                return Err("cidrnetmask only works with IPv4 prefixes".into());
            }
            Ok(Value::String(p.addr(p.mask())))
        }),
        "cidrsubnet" => arity(args, 3).and_then(|()| {
            let p = Prefix::parse(&s(&args[0], "the prefix")?)?;
            let bits = int(&args[1], "the new bits")?;
            let num = int(&args[2], "the network number")?;
            p.subnet(bits, num).map(|q| Value::String(q.to_string()))
        }),
        "cidrsubnets" => {
            let Some((first, rest)) = args.split_first() else {
                return Some(Err("needs a prefix".into()));
            };
            cidrsubnets(first, rest)
        }
        _ => return None,
    })
}

#[derive(Clone, Copy)]
struct Prefix {
    /// The address bits, left-aligned within `width`.
    bits: u128,
    len: u32,
    v6: bool,
}

/// An IPv4 address whose octets have leading zeros (`010.0.0.1`): Terraform's CIDR
/// functions read them as decimal (its documented choice, unlike tools that read octal).
fn v4_with_zeros(a: &str) -> Option<std::net::Ipv4Addr> {
    let octets: Vec<u8> = a
        .split('.')
        .map(|o| {
            (!o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
                .then(|| o.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else {
        return None;
    };
    Some(std::net::Ipv4Addr::new(a, b, c, d))
}

impl Prefix {
    fn parse(t: &str) -> Result<Prefix, String> {
        let bad = || format!("{t:?} is not a prefix in CIDR notation, such as \"10.0.0.0/16\"");
        let (a, l) = t.split_once('/').ok_or_else(bad)?;
        let ip: IpAddr = a
            .parse()
            .or_else(|_| v4_with_zeros(a).map(IpAddr::V4).ok_or(()))
            .map_err(|_| bad())?;
        let len: u32 = l.parse().map_err(|_| bad())?;
        let (bits, v6) = match ip {
            IpAddr::V4(v) => (u32::from(v) as u128, false),
            IpAddr::V6(v) => (u128::from(v), true),
        };
        let p = Prefix { bits, len, v6 };
        if len > p.width() {
            return Err(bad());
        }
        Ok(p)
    }
    fn width(&self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }
    fn host_bits(&self) -> u32 {
        self.width() - self.len
    }
    fn mask(&self) -> u128 {
        let all: u128 = if self.v6 { u128::MAX } else { u32::MAX as u128 };
        // A /0 has no network bits, a /128 no host bits: shifts by the full width are
        // spelled out.
        if self.len == 0 {
            0
        } else {
            all & !all.checked_shr(self.len).unwrap_or(0)
        }
    }
    fn base(&self) -> u128 {
        self.bits & self.mask()
    }
    fn addr(&self, bits: u128) -> String {
        if self.v6 {
            std::net::Ipv6Addr::from(bits).to_string()
        } else {
            std::net::Ipv4Addr::from(bits as u32).to_string()
        }
    }
    fn subnet(&self, newbits: i64, num: i64) -> Result<Prefix, String> {
        if newbits < 0 || self.len as i64 + newbits > self.width() as i64 {
            return Err(format!(
                "cannot add {newbits} bits to a /{} prefix of {} bits",
                self.len,
                self.width()
            ));
        }
        let len = self.len + newbits as u32;
        if num < 0 || (newbits < 64 && num >= 1i64 << newbits) {
            return Err(format!(
                "the network number {num} does not fit in {newbits} bits"
            ));
        }
        let shift = self.width() - len;
        let bits = self.base() | (num as u128).checked_shl(shift).unwrap_or(0);
        Ok(Prefix {
            bits,
            len,
            v6: self.v6,
        })
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr(self.base()), self.len)
    }
}

/// Consecutive subnets of the given sizes, each aligned to its own size, as Terraform's
/// `cidrsubnets` allocates them.
fn cidrsubnets(prefix: &Value, sizes: &[Value]) -> Result<Value, String> {
    let p = Prefix::parse(&s(prefix, "the prefix")?)?;
    let sizes: Vec<i64> = sizes
        .iter()
        .map(|x| int(x, "each size"))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    // The next free address, as an offset within the prefix.
    let mut next: u128 = 0;
    let space: u128 = if p.host_bits() >= 128 {
        u128::MAX
    } else {
        1u128 << p.host_bits()
    };
    for nb in sizes {
        let sub = p.subnet(nb, 0)?;
        let step: u128 = 1u128 << sub.host_bits().min(127);
        let start = next.div_ceil(step) * step;
        if start >= space || start.checked_add(step).is_none_or(|e| e > space) {
            return Err(format!("not enough room in {p} for another /{}", sub.len));
        }
        out.push(Value::String(
            Prefix {
                bits: p.base() | start,
                len: sub.len,
                v6: p.v6,
            }
            .to_string(),
        ));
        next = start + step;
    }
    Ok(Value::List(out))
}
