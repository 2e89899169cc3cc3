use std::time::Duration;

/// The wait before retry number `attempts` (1 for the first retry): exponential from `base`,
/// capped at `max`, with "equal jitter" (`unit` in `[0, 1)` picks a point in the upper half) so
/// that many items failing together do not come back together.
pub fn backoff(attempts: u32, base: Duration, max: Duration, unit: f64) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1).min(20)));
    let capped = exp.min(max);
    capped / 2 + capped.mul_f64(unit.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const BASE: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(300);

    #[test]
    fn doubles_then_caps() {
        let at = |n| backoff(n, BASE, MAX, 0.999_999).as_millis();
        assert_eq!([at(1), at(2), at(3)], [499, 999, 1999]);
        assert_eq!(backoff(40, BASE, MAX, 0.0), MAX / 2);
    }

    proptest! {
        #[test]
        fn always_between_half_and_the_full_capped_delay(n in 0u32..100, unit in 0.0f64..1.0) {
            let d = backoff(n, BASE, MAX, unit);
            let full = BASE.saturating_mul(2u32.saturating_pow(n.saturating_sub(1).min(20))).min(MAX);
            prop_assert!(d >= full / 2 && d <= full);
        }
    }
}
