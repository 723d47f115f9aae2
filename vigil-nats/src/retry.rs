//! The retry and dead-letter policy as data: [`decide`] maps a delivery and its outcome to a
//! [`Disposition`]. Pure (no I/O, no clock), so it is tested as a table without a server; the
//! worker executes the disposition against async-nats. Before a failed downstream publish
//! reaches [`decide`], [`PublishRetry`] retries it within the delivery.
//!
//! ```text
//! outcome            delivery < max_deliver     delivery = max_deliver (last)
//! Done               Ack                        Ack
//! Failed(permanent)  DeadLetter                 DeadLetter
//! Failed(transient)  Nak(backoff)               DeadLetter
//! DeadLettered       Term                       Term
//! DeadLetterFailed   Nak(backoff)               Nak(backoff)   (kept in the stream, never lost)
//! ```

use std::fmt;
use std::time::Duration;

/// Backoff and delivery limits of one consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The consumer's `max_deliver` (-1 = unlimited).
    pub max_deliver: i64,
    /// Nak delay after the first failed delivery.
    pub backoff_initial: Duration,
    /// Largest nak delay.
    pub backoff_max: Duration,
}

impl RetryPolicy {
    /// The nak delay after failed delivery number `delivery` (1-based): doubling from
    /// `backoff_initial`, capped at `backoff_max`. Monotonic in `delivery`.
    pub fn backoff(&self, delivery: u64) -> Duration {
        let exponent = delivery.saturating_sub(1).min(32) as u32;
        self.backoff_initial
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.backoff_max)
    }

    /// True when `delivery` is the last one the server will make.
    pub fn is_last(&self, delivery: u64) -> bool {
        self.max_deliver > 0 && delivery >= self.max_deliver as u64
    }
}

/// How a failed downstream publish is retried within one delivery, before the failure is
/// handed to [`decide`]. The message stays the worker's meanwhile (progress acks), so an outage
/// shorter than `budget` costs no delivery, and a full or leaderless stream slows the worker
/// down instead of burning through `max_deliver`. Each retry re-sends with the same
/// `Nats-Msg-Id`, so a publish that was stored but whose ack was lost is not stored twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishRetry {
    /// No retry starts later than this after the first attempt began (zero: never retry).
    pub budget: Duration,
    /// Pause after the first failed attempt; doubling.
    pub pause_initial: Duration,
    /// Largest pause.
    pub pause_max: Duration,
}

impl PublishRetry {
    /// Retries within `budget`, pausing 50 ms doubling to 1 s.
    pub fn within(budget: Duration) -> Self {
        PublishRetry {
            budget,
            pause_initial: Duration::from_millis(50),
            pause_max: Duration::from_secs(1),
        }
    }

    /// After failed attempt number `attempt` (1-based) of kind `kind`, `elapsed` after the first
    /// attempt began: the pause before the next attempt, or `None` to give up (a permanent
    /// failure, or the next attempt would start past the budget).
    pub fn pause(&self, attempt: u32, elapsed: Duration, kind: FailureKind) -> Option<Duration> {
        if kind.is_permanent() {
            return None;
        }
        let exponent = attempt.saturating_sub(1).min(32);
        let pause = self
            .pause_initial
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.pause_max);
        (elapsed.saturating_add(pause) < self.budget).then_some(pause)
    }
}

/// Why a message failed. Permanent kinds never succeed on retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The payload is not UTF-8.
    InvalidUtf8,
    /// The payload is not JSON.
    MalformedJson,
    /// Valid JSON of the wrong shape (missing field, wrong type).
    WrongSchema,
    /// The request id is missing or not a single subject token.
    InvalidRequestId,
    /// The text is empty or only whitespace.
    EmptyText,
    /// The text is over the engine's `limits.max_input_bytes`.
    TextTooLarge,
    /// The downstream message would exceed the server's or stream's size limit.
    PayloadTooLarge,
    /// The downstream publish was not acknowledged (timeout, no stream, server gone).
    Publish,
}

impl FailureKind {
    /// True when retrying cannot help.
    pub fn is_permanent(self) -> bool {
        !matches!(self, FailureKind::Publish)
    }

    /// Stable snake_case code, used in the `Vigil-Reason` header and error replies.
    pub fn code(self) -> &'static str {
        match self {
            FailureKind::InvalidUtf8 => "invalid_utf8",
            FailureKind::MalformedJson => "malformed_json",
            FailureKind::WrongSchema => "wrong_schema",
            FailureKind::InvalidRequestId => "invalid_request_id",
            FailureKind::EmptyText => "empty_text",
            FailureKind::TextTooLarge => "text_too_large",
            FailureKind::PayloadTooLarge => "payload_too_large",
            FailureKind::Publish => "publish_failed",
        }
    }
}

/// A failed processing attempt: a kind plus a detail that never contains message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong.
    pub kind: FailureKind,
    /// Where or why (positions, sizes, error kinds), one line.
    pub detail: String,
}

impl Failure {
    /// A failure of `kind`; line breaks in `detail` are replaced so it fits a header.
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        Failure {
            kind,
            detail: detail.replace(['\r', '\n'], " "),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.detail)
    }
}

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Processed and the downstream publish acknowledged (a BLOCK verdict is this too).
    Done,
    /// Processing failed.
    Failed(Failure),
    /// The message was published to the DLQ and the DLQ stream acknowledged it.
    DeadLettered,
    /// Publishing to the DLQ failed.
    DeadLetterFailed,
}

/// What to do with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Acknowledge: done.
    Ack,
    /// Negative-acknowledge: redeliver after `delay`.
    Nak {
        /// Redelivery delay.
        delay: Duration,
    },
    /// Stop redelivering (after the message was dead-lettered).
    Term,
    /// Publish to the DLQ with `reason`, then decide again with the publish's outcome.
    DeadLetter {
        /// Why.
        reason: Failure,
    },
}

/// The policy: see the table in the [module docs](self). `delivery` is the 1-based delivery
/// count the server reports for the message.
pub fn decide(policy: &RetryPolicy, delivery: u64, outcome: &Outcome) -> Disposition {
    match outcome {
        Outcome::Done => Disposition::Ack,
        Outcome::Failed(failure) if failure.kind.is_permanent() || policy.is_last(delivery) => {
            Disposition::DeadLetter {
                reason: failure.clone(),
            }
        }
        Outcome::Failed(_) | Outcome::DeadLetterFailed => Disposition::Nak {
            delay: policy.backoff(delivery),
        },
        Outcome::DeadLettered => Disposition::Term,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_deliver: 3,
        backoff_initial: Duration::from_secs(2),
        backoff_max: Duration::from_secs(30),
    };

    fn failed(kind: FailureKind) -> Outcome {
        Outcome::Failed(Failure::new(kind, "x"))
    }

    fn dead_letter(kind: FailureKind) -> Disposition {
        Disposition::DeadLetter {
            reason: Failure::new(kind, "x"),
        }
    }

    fn nak(secs: u64) -> Disposition {
        Disposition::Nak {
            delay: Duration::from_secs(secs),
        }
    }

    #[test]
    fn table() {
        use FailureKind::*;
        let cases: &[(u64, Outcome, Disposition)] = &[
            (1, Outcome::Done, Disposition::Ack),
            (3, Outcome::Done, Disposition::Ack),
            (1, failed(MalformedJson), dead_letter(MalformedJson)),
            (1, failed(InvalidUtf8), dead_letter(InvalidUtf8)),
            (1, failed(WrongSchema), dead_letter(WrongSchema)),
            (1, failed(EmptyText), dead_letter(EmptyText)),
            (1, failed(TextTooLarge), dead_letter(TextTooLarge)),
            (2, failed(PayloadTooLarge), dead_letter(PayloadTooLarge)),
            (1, failed(Publish), nak(2)),
            (2, failed(Publish), nak(4)),
            (3, failed(Publish), dead_letter(Publish)),
            (7, failed(Publish), dead_letter(Publish)),
            (1, Outcome::DeadLettered, Disposition::Term),
            (3, Outcome::DeadLettered, Disposition::Term),
            (1, Outcome::DeadLetterFailed, nak(2)),
            (3, Outcome::DeadLetterFailed, nak(8)),
        ];
        for (delivery, outcome, want) in cases {
            assert_eq!(
                &decide(&POLICY, *delivery, outcome),
                want,
                "delivery {delivery}, {outcome:?}"
            );
        }
    }

    #[test]
    fn publish_retry_table() {
        use FailureKind::*;
        let retry = PublishRetry::within(Duration::from_secs(10));
        let ms = Duration::from_millis;
        let cases: &[(u32, u64, FailureKind, Option<Duration>)] = &[
            (1, 0, Publish, Some(ms(50))),
            (2, 60, Publish, Some(ms(100))),
            (5, 1_000, Publish, Some(ms(800))),
            (6, 2_000, Publish, Some(ms(1_000))),
            (40, 8_000, Publish, Some(ms(1_000))),
            // The next attempt would start at or past the budget.
            (2, 9_900, Publish, None),
            (6, 9_500, Publish, None),
            (1, 9_950, Publish, None),
            (1, 12_000, Publish, None),
            (1, 0, PayloadTooLarge, None),
            (1, 0, WrongSchema, None),
        ];
        for (attempt, elapsed, kind, want) in cases {
            assert_eq!(
                retry.pause(*attempt, ms(*elapsed), *kind),
                *want,
                "attempt {attempt} at {elapsed} ms, {kind:?}"
            );
        }
        assert_eq!(
            PublishRetry::within(Duration::ZERO).pause(1, ms(0), Publish),
            None
        );
    }

    #[test]
    fn unlimited_deliveries_never_dead_letter_transient_failures() {
        let policy = RetryPolicy {
            max_deliver: -1,
            ..POLICY
        };
        let d = decide(&policy, 1000, &failed(FailureKind::Publish));
        assert_eq!(d, nak(30));
    }

    fn any_kind() -> impl Strategy<Value = FailureKind> {
        use FailureKind::*;
        prop::sample::select(vec![
            InvalidUtf8,
            MalformedJson,
            WrongSchema,
            InvalidRequestId,
            EmptyText,
            TextTooLarge,
            PayloadTooLarge,
            Publish,
        ])
    }

    fn any_policy() -> impl Strategy<Value = RetryPolicy> {
        (-1i64..20, 1u64..10_000, 0u64..100_000).prop_map(|(max_deliver, initial, extra)| {
            RetryPolicy {
                max_deliver: if max_deliver == 0 { 1 } else { max_deliver },
                backoff_initial: Duration::from_millis(initial),
                backoff_max: Duration::from_millis(initial + extra),
            }
        })
    }

    proptest! {
        #[test]
        fn never_acks_a_failure(policy in any_policy(), delivery in 1u64..u64::MAX, kind in any_kind()) {
            let outcome = Outcome::Failed(Failure::new(kind, "d"));
            prop_assert_ne!(decide(&policy, delivery, &outcome), Disposition::Ack);
            prop_assert_ne!(decide(&policy, delivery, &Outcome::DeadLetterFailed), Disposition::Ack);
            // A failed dead-letter publish never terms: the message must stay redeliverable.
            prop_assert_ne!(decide(&policy, delivery, &Outcome::DeadLetterFailed), Disposition::Term);
        }

        #[test]
        fn publish_retries_stay_within_the_budget(
            budget in 0u64..60_000, attempt in 1u32..100, elapsed in 0u64..70_000, kind in any_kind(),
        ) {
            let retry = PublishRetry::within(Duration::from_millis(budget));
            if let Some(pause) = retry.pause(attempt, Duration::from_millis(elapsed), kind) {
                prop_assert!(!kind.is_permanent());
                prop_assert!(Duration::from_millis(elapsed) + pause < retry.budget);
                prop_assert!(pause >= retry.pause_initial && pause <= retry.pause_max);
            }
        }

        #[test]
        fn backoff_is_monotonic_and_capped(policy in any_policy(), a in 1u64..200, b in 1u64..200) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(policy.backoff(lo) <= policy.backoff(hi));
            prop_assert!(policy.backoff(hi) <= policy.backoff_max);
            prop_assert!(policy.backoff(1) == policy.backoff_initial.min(policy.backoff_max));
        }

        #[test]
        fn last_delivery_of_a_transient_failure_dead_letters(policy in any_policy(), kind in any_kind()) {
            prop_assume!(policy.max_deliver > 0);
            let outcome = Outcome::Failed(Failure::new(kind, "d"));
            let d = decide(&policy, policy.max_deliver as u64, &outcome);
            let is_dead_letter = matches!(d, Disposition::DeadLetter { .. });
            prop_assert!(is_dead_letter);
        }
    }

    #[test]
    fn failure_detail_fits_a_header() {
        let f = Failure::new(FailureKind::WrongSchema, "a\r\nb");
        assert_eq!(f.to_string(), "wrong_schema: a  b");
    }
}
