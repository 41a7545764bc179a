//! Hybrid logical clock (SYNC.md §4): high 48 bits physical milliseconds, low 16 bits a counter.
//! Pure: the caller passes `now_ms`.

use serde::{Deserialize, Serialize};

/// A hybrid logical clock value.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Hlc(pub u64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MASK: u64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    /// Builds a clock value from its parts.
    pub fn new(physical_ms: u64, counter: u16) -> Self {
        Self((physical_ms << COUNTER_BITS) | u64::from(counter))
    }

    /// The value as a SQL integer (saturating; real clocks are far below `i64::MAX`).
    pub fn to_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    /// Physical milliseconds.
    pub fn physical(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    /// Logical counter.
    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MASK) as u16
    }

    /// The next value for a local event (send): strictly greater than `self`.
    pub fn send(self, now_ms: u64) -> Hlc {
        let p = now_ms.max(self.physical());
        if p == self.physical() {
            match self.counter().checked_add(1) {
                Some(c) => Hlc::new(p, c),
                None => Hlc::new(p + 1, 0),
            }
        } else {
            Hlc::new(p, 0)
        }
    }

    /// The next value after seeing `remote`: greater than both `self` and `remote`.
    pub fn receive(self, remote: Hlc, now_ms: u64) -> Hlc {
        let last = self.max(remote);
        last.send(now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counter_overflow_moves_physical() {
        let h = Hlc::new(10, u16::MAX);
        assert_eq!(h.send(5), Hlc::new(11, 0));
    }

    proptest! {
        #[test]
        fn send_is_strictly_monotone(start in 0u64..1 << 40, c: u16, nows in proptest::collection::vec(0u64..1 << 40, 1..50)) {
            let mut h = Hlc::new(start, c);
            for now in nows {
                let next = h.send(now);
                prop_assert!(next > h);
                prop_assert!(next.physical() >= now);
                h = next;
            }
        }

        #[test]
        fn receive_exceeds_both(a in 0u64..1 << 40, b in 0u64..1 << 40, now in 0u64..1 << 40) {
            let (l, r) = (Hlc::new(a, 0), Hlc::new(b, 3));
            let n = l.receive(r, now);
            prop_assert!(n > l && n > r);
        }
    }
}
