//! One retry policy for every call that may be repeated — ModelArts API calls and state
//! writes to PostgreSQL: capped exponential backoff (with jitter for the API, so that many
//! clients do not retry in step), built with `backon`. What may be retried, and when a
//! `Retry-After` overrides the delay, stays with each caller; this module must not decide
//! it.

use backon::{BackoffBuilder, ExponentialBuilder};
use std::time::Duration;

/// Delays between attempts of an API call: 250–500 ms, then doubling up to 15–30 s (the
/// jitter adds up to the delay again), at most `retries` of them.
pub fn api(retries: u32) -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(250))
        .with_max_delay(Duration::from_secs(15))
        .with_max_times(retries as usize)
        .with_jitter()
        .build()
}

/// Delays between attempts of a state write to the database: 250, 500, 1000 ms (four
/// attempts over about two seconds).
pub fn database() -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(250))
        .with_max_times(3)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_delays_grow_with_jitter_and_stop() {
        let d: Vec<Duration> = api(4).collect();
        assert_eq!(d.len(), 4);
        for (i, x) in d.iter().enumerate() {
            let base = Duration::from_millis(250 << i);
            assert!(*x >= base && *x < base * 2, "attempt {i}: {x:?}");
        }
        assert!(api(20).all(|x| x < Duration::from_secs(30)), "capped");
        assert_eq!(api(0).count(), 0);
    }

    #[test]
    fn database_delays_are_fixed() {
        let d: Vec<u128> = database().map(|x| x.as_millis()).collect();
        assert_eq!(d, [250, 500, 1000]);
    }
}
