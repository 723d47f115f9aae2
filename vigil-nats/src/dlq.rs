//! Dead letters: executing a [`Disposition`] (including the DLQ publish), listing the DLQ and
//! replaying dead letters to their original subject.

use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, AckKind};
use serde::Serialize;

use crate::config::Topology;
use crate::error::Error;
use crate::retry::{Disposition, Failure, Outcome, RetryPolicy, decide};

/// Header naming the subject a dead letter was first published to (the seed's name).
pub const ORIGINAL_SUBJECT: &str = "Original-Subject";
/// Header with the failure code and detail, e.g. `malformed_json: not JSON: error at ...`.
pub const REASON: &str = "Vigil-Reason";
/// Header with the delivery count at which the message was dead-lettered.
pub const DELIVERY_COUNT: &str = "Vigil-Delivery-Count";
/// Header with the stream the message came from.
pub const ORIGINAL_STREAM: &str = "Vigil-Original-Stream";
/// Header with the message's sequence in that stream.
pub const ORIGINAL_SEQUENCE: &str = "Vigil-Original-Sequence";
/// Header with the name of the worker that dead-lettered it.
pub const WORKER: &str = "Vigil-Worker";
/// Header on a replayed message: the DLQ sequence it came from.
pub const REPLAYED_FROM: &str = "Vigil-Replayed-From";

/// Extra DLQ publish attempts on a message's last delivery (see [`execute`]).
const LAST_DELIVERY_DLQ_RETRIES: u64 = 3;

/// Where dead letters go, and who is sending them.
#[derive(Debug, Clone)]
pub(crate) struct DeadLetterTarget {
    pub(crate) subject: String,
    pub(crate) worker: String,
}

/// Apply `outcome` to `message`: [`decide`] what to do and do it. A dead letter is published
/// and acknowledged by the DLQ stream before the original is termed; if that publish fails the
/// original is nak'ed instead, so it is never lost (on its last delivery the publish is first
/// retried [`LAST_DELIVERY_DLQ_RETRIES`] times, since the server will not redeliver it).
/// Returns the disposition finally applied.
pub(crate) async fn execute(
    js: &jetstream::Context,
    message: &jetstream::Message,
    policy: &RetryPolicy,
    outcome: Outcome,
    target: &DeadLetterTarget,
) -> Disposition {
    let (delivery, stream, sequence) = match message.info() {
        Ok(info) => (
            u64::try_from(info.delivered).unwrap_or(1),
            info.stream.to_string(),
            info.stream_sequence,
        ),
        // Not a JetStream delivery: nothing to ack. The caller only passes consumer messages.
        Err(_) => (1, String::new(), 0),
    };
    let mut disposition = decide(policy, delivery, &outcome);
    if let Disposition::DeadLetter { reason } = &disposition {
        let mut published =
            publish_dead_letter(js, message, reason, delivery, &stream, sequence, target).await;
        // On the last delivery a nak is not followed by a redelivery (the message stays stored
        // in its stream, but no worker sees it again), so retry the DLQ here a few times,
        // keeping the message ours with progress acks.
        let mut attempt = 1;
        while published.is_err() && policy.is_last(delivery) && attempt <= LAST_DELIVERY_DLQ_RETRIES
        {
            if let Err(e) = &published {
                tracing::warn!(error = %e, stream, sequence, attempt, "dead-letter publish failed; retrying");
            }
            let _ = message.ack_with(AckKind::Progress).await;
            tokio::time::sleep(policy.backoff(attempt)).await;
            published =
                publish_dead_letter(js, message, reason, delivery, &stream, sequence, target).await;
            attempt += 1;
        }
        let next = match published {
            Ok(()) => {
                tracing::warn!(stream, sequence, delivery, reason = %reason, "dead-lettered");
                Outcome::DeadLettered
            }
            Err(e) => {
                tracing::error!(error = %e, stream, sequence, "dead-letter publish failed; nak'ing");
                Outcome::DeadLetterFailed
            }
        };
        disposition = decide(policy, delivery, &next);
    }
    let kind = match &disposition {
        Disposition::Ack => AckKind::Ack,
        Disposition::Nak { delay } => AckKind::Nak(Some(*delay)),
        Disposition::Term => AckKind::Term,
        // decide() never returns DeadLetter for DeadLettered/DeadLetterFailed; nak to be safe.
        Disposition::DeadLetter { .. } => AckKind::Nak(Some(policy.backoff(delivery))),
    };
    // Ack with confirmation so a lost ack is logged; the redelivery it causes is absorbed by
    // the downstream de-duplication.
    let acked = match kind {
        AckKind::Ack => message.double_ack().await,
        other => message.ack_with(other).await,
    };
    if let Err(e) = acked {
        tracing::warn!(error = %e, stream, sequence, "ack failed; the message will be redelivered");
    }
    disposition
}

async fn publish_dead_letter(
    js: &jetstream::Context,
    message: &jetstream::Message,
    reason: &Failure,
    delivery: u64,
    stream: &str,
    sequence: u64,
    target: &DeadLetterTarget,
) -> Result<(), Error> {
    let mut headers = HeaderMap::new();
    headers.insert(ORIGINAL_SUBJECT, message.subject.as_str());
    headers.insert(REASON, reason.to_string().as_str());
    headers.insert(DELIVERY_COUNT, delivery.to_string().as_str());
    headers.insert(ORIGINAL_STREAM, stream);
    headers.insert(ORIGINAL_SEQUENCE, sequence.to_string().as_str());
    headers.insert(WORKER, target.worker.as_str());
    let publish = PublishMessage::build()
        .payload(message.payload.clone())
        .headers(headers)
        // One dead letter per original message, even if the term after it is lost.
        .message_id(format!("dlq:{stream}:{sequence}"));
    let ack = js
        .send_publish(target.subject.clone(), publish)
        .await
        .map_err(|e| Error::publish(&target.subject, e))?;
    ack.await.map_err(|e| Error::publish(&target.subject, e))?;
    Ok(())
}

/// One dead letter as `vigil dlq list` shows it (no payload: it may hold prompt text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    /// Sequence in the DLQ stream (what `vigil dlq replay` takes).
    pub sequence: u64,
    /// `Original-Subject`.
    pub original_subject: String,
    /// `Vigil-Reason`.
    pub reason: String,
    /// `Vigil-Delivery-Count`.
    pub delivery_count: Option<u64>,
    /// `Vigil-Original-Stream`.
    pub original_stream: String,
    /// `Vigil-Original-Sequence`.
    pub original_sequence: Option<u64>,
    /// `Vigil-Worker`.
    pub worker: String,
    /// Payload size in bytes.
    pub payload_bytes: usize,
}

pub(crate) async fn list(
    js: &jetstream::Context,
    topology: &Topology,
    limit: usize,
) -> Result<Vec<DeadLetter>, Error> {
    let name = &topology.dlq.name;
    let mut stream = js
        .get_stream(name)
        .await
        .map_err(|e| Error::topology(format!("open stream {name}"), e))?;
    let state = stream
        .info()
        .await
        .map_err(|e| Error::topology(format!("inspect stream {name}"), e))?
        .state
        .clone();
    let mut out = Vec::new();
    if state.messages == 0 {
        return Ok(out);
    }
    let mut seq = state.first_sequence;
    while seq <= state.last_sequence && out.len() < limit {
        // Walk by subject so deleted (replayed) sequences are skipped without a lookup each.
        let message = stream
            .raw_message_builder()
            .next_by_subject(topology.subjects.dlq.clone())
            .sequence(seq)
            .send()
            .await;
        let message = match message {
            Ok(m) => m,
            Err(e)
                if e.kind()
                    == async_nats::jetstream::stream::RawMessageErrorKind::NoMessageFound =>
            {
                break;
            }
            Err(e) => return Err(Error::consume(format!("stream {name}"), e)),
        };
        let header = |key: &str| {
            message
                .headers
                .get(key)
                .map(|v| v.as_str().to_string())
                .unwrap_or_default()
        };
        out.push(DeadLetter {
            sequence: message.sequence,
            original_subject: header(ORIGINAL_SUBJECT),
            reason: header(REASON),
            delivery_count: header(DELIVERY_COUNT).parse().ok(),
            original_stream: header(ORIGINAL_STREAM),
            original_sequence: header(ORIGINAL_SEQUENCE).parse().ok(),
            worker: header(WORKER),
            payload_bytes: message.payload.len(),
        });
        seq = message.sequence + 1;
    }
    Ok(out)
}

/// Republish DLQ message `sequence` to its `Original-Subject`, wait for the stream's ack, then
/// delete it from the DLQ. Returns the new sequence in the original stream.
pub(crate) async fn replay(
    js: &jetstream::Context,
    topology: &Topology,
    sequence: u64,
) -> Result<u64, Error> {
    let name = &topology.dlq.name;
    let stream = js
        .get_stream_no_info(name)
        .await
        .map_err(|e| Error::topology(format!("open stream {name}"), e))?;
    let message = stream
        .get_raw_message(sequence)
        .await
        .map_err(|e| Error::consume(format!("{name} sequence {sequence}"), e))?;
    let subject = message
        .headers
        .get(ORIGINAL_SUBJECT)
        .map(|v| v.as_str().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            Error::InvalidRequest(format!(
                "{name} sequence {sequence} has no {ORIGINAL_SUBJECT} header"
            ))
        })?;
    let mut headers = HeaderMap::new();
    headers.insert(REPLAYED_FROM, sequence.to_string().as_str());
    let publish = PublishMessage::build()
        .payload(message.payload.clone())
        .headers(headers)
        // Idempotent replay: replaying the same dead letter twice within the duplicate window
        // publishes once. (The original Nats-Msg-Id would be dropped as a duplicate.)
        .message_id(format!("replay:{name}:{sequence}"));
    let ack = js
        .send_publish(subject.clone(), publish)
        .await
        .map_err(|e| Error::publish(&subject, e))?
        .await
        .map_err(|e| Error::publish(&subject, e))?;
    stream
        .delete_message(sequence)
        .await
        .map_err(|e| Error::topology(format!("delete {name} sequence {sequence}"), e))?;
    Ok(ack.sequence)
}

/// True when a publish failed because the subject already holds a message (used with
/// `expected_last_subject_sequence(0)`: the result was recorded before).
pub(crate) fn is_already_recorded(e: &async_nats::jetstream::context::PublishError) -> bool {
    e.kind() == PublishErrorKind::WrongLastSequence
}
