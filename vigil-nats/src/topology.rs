//! Streams and consumers: builders from [`Topology`], idempotent [`setup`], and the start-up
//! check [`verify`].
//!
//! ```text
//!  vigil.requests.analyze ─┐                      ┌─ vigil.stage.pii ──> pii-proc ──┐
//!  vigil.requests.async  ──┴> VIGIL_REQUESTS ─────┤   (VIGIL_STAGES)                 │
//!                          detection-worker ──────┘   vigil.stage.arbiter <──────────┘
//!                                                       │ arbiter
//!                                                       v
//!                      VIGIL_RESULTS <── vigil.results.<requestId>     VIGIL_DLQ <── vigil.dlq
//! ```
//!
//! Deviation from the seed, on purpose: the seed filters `detection-worker` to
//! `vigil.requests.analyze` only, which leaves every `vigil.requests.async` request unprocessed
//! for ever. The consumer keeps its name and settings but filters on both request subjects;
//! [`setup`] migrates a consumer created by the seed's code.

use std::fmt::Debug;
use std::time::Duration;

use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::consumer::{self, AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::{self, stream};

use crate::config::{Discard, Retention, Storage, StreamSpec, Subjects, Topology};
use crate::error::Error;

/// A worker role, i.e. one pipeline stage or the synchronous responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `vigil.requests.*` -> detection -> `vigil.stage.pii`.
    Detection,
    /// `vigil.stage.pii` -> PII scan -> `vigil.stage.arbiter`.
    Pii,
    /// `vigil.stage.arbiter` -> arbiter -> `vigil.results.<requestId>`.
    Arbiter,
    /// Request-reply on `vigil.analyze.sync` with the embedded engine.
    Sync,
}

impl Role {
    /// Every role, in pipeline order.
    pub const ALL: [Role; 4] = [Role::Detection, Role::Pii, Role::Arbiter, Role::Sync];

    /// Lower-case name (`detection`, `pii`, `arbiter`, `sync`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Detection => "detection",
            Role::Pii => "pii",
            Role::Arbiter => "arbiter",
            Role::Sync => "sync",
        }
    }
}

/// Which spec a stream is, for [`Topology::streams`].
fn stream_subjects(topology: &Topology, spec: &StreamSpec) -> Vec<String> {
    let s: &Subjects = &topology.subjects;
    if spec.name == topology.requests.name {
        vec![s.analyze.clone(), s.async_requests.clone()]
    } else if spec.name == topology.stages.name {
        vec![s.stage_pii.clone(), s.stage_arbiter.clone()]
    } else if spec.name == topology.results.name {
        vec![format!("{}.>", s.results_prefix)]
    } else {
        vec![s.dlq.clone()]
    }
}

impl Topology {
    /// The four stream specs: requests, stages, results, DLQ.
    pub fn streams(&self) -> [&StreamSpec; 4] {
        [&self.requests, &self.stages, &self.results, &self.dlq]
    }

    /// The async-nats configuration of a stream (one of [`Topology::streams`]).
    pub fn stream_config(&self, spec: &StreamSpec) -> stream::Config {
        stream::Config {
            name: spec.name.clone(),
            subjects: stream_subjects(self, spec),
            retention: match spec.retention {
                Retention::Limits => stream::RetentionPolicy::Limits,
                Retention::Workqueue => stream::RetentionPolicy::WorkQueue,
            },
            storage: match spec.storage {
                Storage::File => stream::StorageType::File,
                Storage::Memory => stream::StorageType::Memory,
            },
            discard: match spec.discard {
                Discard::Old => stream::DiscardPolicy::Old,
                Discard::New => stream::DiscardPolicy::New,
            },
            max_messages: spec.max_msgs,
            max_bytes: spec.max_bytes,
            max_messages_per_subject: spec.max_msgs_per_subject,
            max_age: Duration::from_millis(spec.max_age_ms),
            max_message_size: spec.max_msg_size,
            duplicate_window: Duration::from_millis(spec.duplicate_window_ms),
            num_replicas: spec.replicas,
            // Lets hosts read a result by subject from any replica, cheaply.
            allow_direct: spec.name == self.results.name,
            ..Default::default()
        }
    }

    /// The stream and durable pull-consumer configuration a stage role consumes from, or
    /// `None` for [`Role::Sync`] (core request-reply, no consumer).
    pub fn consumer_config(&self, role: Role) -> Option<(&StreamSpec, pull::Config)> {
        let s = &self.subjects;
        let (stream, spec, filters) = match role {
            Role::Detection => (
                &self.requests,
                &self.detection,
                vec![s.analyze.clone(), s.async_requests.clone()],
            ),
            Role::Pii => (&self.stages, &self.pii, vec![s.stage_pii.clone()]),
            Role::Arbiter => (&self.stages, &self.arbiter, vec![s.stage_arbiter.clone()]),
            Role::Sync => return None,
        };
        let (filter_subject, filter_subjects) = match filters.as_slice() {
            [one] => (one.clone(), Vec::new()),
            _ => (String::new(), filters),
        };
        Some((
            stream,
            pull::Config {
                durable_name: Some(spec.durable.clone()),
                description: Some(format!("vigil {} stage", role.as_str())),
                ack_policy: AckPolicy::Explicit,
                deliver_policy: DeliverPolicy::All,
                ack_wait: spec.ack_wait(),
                max_deliver: spec.max_deliver,
                max_ack_pending: spec.max_ack_pending,
                filter_subject,
                filter_subjects,
                ..Default::default()
            },
        ))
    }

    /// The streams a role reads from or publishes to.
    pub fn streams_for(&self, role: Role) -> Vec<&StreamSpec> {
        match role {
            Role::Detection => vec![&self.requests, &self.stages, &self.dlq],
            Role::Pii => vec![&self.stages, &self.dlq],
            Role::Arbiter => vec![&self.stages, &self.results, &self.dlq],
            Role::Sync => vec![&self.results],
        }
    }
}

/// What [`setup`] did to one stream or consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupStep {
    /// `stream VIGIL_REQUESTS` or `consumer VIGIL_REQUESTS/detection-worker`.
    pub what: String,
    /// What happened.
    pub action: SetupAction,
}

/// See [`SetupStep`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupAction {
    /// It did not exist and was created.
    Created,
    /// It existed with other settings and was updated.
    Updated,
    /// It existed with the configured settings.
    Unchanged,
}

/// Create or update every stream and consumer of `topology`. Idempotent: running it again
/// changes nothing. Settings the server cannot change in place (a stream's retention or
/// storage) fail with the server's error.
pub async fn setup(js: &jetstream::Context, topology: &Topology) -> Result<Vec<SetupStep>, Error> {
    let mut steps = Vec::new();
    for spec in topology.streams() {
        let want = topology.stream_config(spec);
        let what = format!("stream {}", spec.name);
        let action = match get_stream(js, &spec.name).await? {
            None => {
                js.create_stream(want)
                    .await
                    .map_err(|e| Error::topology(format!("create {what}"), e))?;
                SetupAction::Created
            }
            Some(mut stream) => {
                let info = stream
                    .info()
                    .await
                    .map_err(|e| Error::topology(format!("inspect {what}"), e))?;
                if stream_mismatch(&want, &info.config).is_none() {
                    SetupAction::Unchanged
                } else {
                    js.update_stream(want)
                        .await
                        .map_err(|e| Error::topology(format!("update {what}"), e))?;
                    SetupAction::Updated
                }
            }
        };
        steps.push(SetupStep { what, action });
    }
    for role in [Role::Detection, Role::Pii, Role::Arbiter] {
        let Some((spec, want)) = topology.consumer_config(role) else {
            continue;
        };
        let what = consumer_name(spec, &want);
        let stream = js
            .get_stream(&spec.name)
            .await
            .map_err(|e| Error::topology(format!("open stream {}", spec.name), e))?;
        let durable = want.durable_name.clone().unwrap_or_default();
        let action = match consumer_info(&stream, &durable, &what).await? {
            None => SetupAction::Created,
            Some(info) if consumer_mismatch(&want, &info.config).is_none() => {
                SetupAction::Unchanged
            }
            Some(_) => SetupAction::Updated,
        };
        if action != SetupAction::Unchanged {
            // Create-or-update: the server applies the new settings to an existing durable.
            stream
                .create_consumer(want)
                .await
                .map_err(|e| Error::topology(format!("create or update {what}"), e))?;
        }
        steps.push(SetupStep { what, action });
    }
    Ok(steps)
}

/// Check that the streams and consumer `role` needs exist with the configured settings.
/// Fails with [`Error::Missing`] or [`Error::Mismatch`] naming the first difference.
pub async fn verify(js: &jetstream::Context, topology: &Topology, role: Role) -> Result<(), Error> {
    for spec in topology.streams_for(role) {
        let what = format!("stream {}", spec.name);
        let Some(mut stream) = get_stream(js, &spec.name).await? else {
            return Err(Error::Missing { what });
        };
        let info = stream
            .info()
            .await
            .map_err(|e| Error::topology(format!("inspect {what}"), e))?;
        if let Some((field, expected, found)) =
            stream_mismatch(&topology.stream_config(spec), &info.config)
        {
            return Err(Error::Mismatch {
                what,
                field,
                expected,
                found,
            });
        }
    }
    if let Some((spec, want)) = topology.consumer_config(role) {
        let what = consumer_name(spec, &want);
        let stream = js
            .get_stream(&spec.name)
            .await
            .map_err(|e| Error::topology(format!("open stream {}", spec.name), e))?;
        let durable = want.durable_name.clone().unwrap_or_default();
        let Some(info) = consumer_info(&stream, &durable, &what).await? else {
            return Err(Error::Missing { what });
        };
        if let Some((field, expected, found)) = consumer_mismatch(&want, &info.config) {
            return Err(Error::Mismatch {
                what,
                field,
                expected,
                found,
            });
        }
    }
    Ok(())
}

fn consumer_name(spec: &StreamSpec, config: &pull::Config) -> String {
    format!(
        "consumer {}/{}",
        spec.name,
        config.durable_name.as_deref().unwrap_or_default()
    )
}

async fn get_stream(js: &jetstream::Context, name: &str) -> Result<Option<stream::Stream>, Error> {
    match js.get_stream(name).await {
        Ok(s) => Ok(Some(s)),
        Err(e) => match e.kind() {
            GetStreamErrorKind::JetStream(j) if j.error_code() == ErrorCode::STREAM_NOT_FOUND => {
                Ok(None)
            }
            _ => Err(Error::topology(format!("open stream {name}"), e)),
        },
    }
}

async fn consumer_info(
    stream: &stream::Stream,
    durable: &str,
    what: &str,
) -> Result<Option<consumer::Info>, Error> {
    match stream.consumer_info(durable).await {
        Ok(info) => Ok(Some(info)),
        Err(e) if e.kind() == async_nats::jetstream::context::ConsumerInfoErrorKind::NotFound => {
            Ok(None)
        }
        Err(e) => Err(Error::topology(format!("inspect {what}"), e)),
    }
}

type Difference = (&'static str, String, String);

fn differ<T: PartialEq + Debug>(field: &'static str, want: T, found: T) -> Option<Difference> {
    (want != found).then(|| (field, format!("{want:?}"), format!("{found:?}")))
}

/// The first setting of `found` that differs from `want` (only the settings we manage; the
/// server fills in others).
fn stream_mismatch(want: &stream::Config, found: &stream::Config) -> Option<Difference> {
    let mut want_subjects = want.subjects.clone();
    let mut found_subjects = found.subjects.clone();
    want_subjects.sort();
    found_subjects.sort();
    differ("subjects", want_subjects, found_subjects)
        .or_else(|| differ("retention", want.retention, found.retention))
        .or_else(|| differ("storage", want.storage, found.storage))
        .or_else(|| differ("discard", want.discard, found.discard))
        .or_else(|| differ("max_msgs", want.max_messages, found.max_messages))
        .or_else(|| differ("max_bytes", want.max_bytes, found.max_bytes))
        .or_else(|| {
            differ(
                "max_msgs_per_subject",
                want.max_messages_per_subject,
                found.max_messages_per_subject,
            )
        })
        .or_else(|| differ("max_age", want.max_age, found.max_age))
        .or_else(|| {
            differ(
                "max_msg_size",
                want.max_message_size,
                found.max_message_size,
            )
        })
        .or_else(|| {
            differ(
                "duplicate_window",
                want.duplicate_window,
                found.duplicate_window,
            )
        })
        .or_else(|| differ("num_replicas", want.num_replicas, found.num_replicas))
        .or_else(|| differ("allow_direct", want.allow_direct, found.allow_direct))
}

/// A consumer's filter subjects, whether set as one `filter_subject` or as
/// `filter_subjects`, sorted and without empty entries.
fn filters(subject: &str, subjects: &[String]) -> Vec<String> {
    let mut f = if subjects.is_empty() {
        vec![subject.to_string()]
    } else {
        subjects.to_vec()
    };
    f.retain(|s| !s.is_empty());
    f.sort();
    f
}

fn consumer_mismatch(want: &pull::Config, found: &consumer::Config) -> Option<Difference> {
    let want_filters = filters(&want.filter_subject, &want.filter_subjects);
    let found_filters = filters(&found.filter_subject, &found.filter_subjects);
    differ("filter_subjects", want_filters, found_filters)
        .or_else(|| differ("ack_policy", want.ack_policy, found.ack_policy))
        .or_else(|| differ("deliver_policy", want.deliver_policy, found.deliver_policy))
        .or_else(|| differ("ack_wait", want.ack_wait, found.ack_wait))
        .or_else(|| differ("max_deliver", want.max_deliver, found.max_deliver))
        .or_else(|| {
            differ(
                "max_ack_pending",
                want.max_ack_pending,
                found.max_ack_pending,
            )
        })
        .or_else(|| {
            // A push consumer under the same durable name cannot be pulled from.
            differ(
                "deliver_subject",
                None::<&str>,
                found.deliver_subject.as_deref(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_stream_matches_the_seed() {
        let t = Topology::default();
        let c = t.stream_config(&t.requests);
        assert_eq!(c.name, "VIGIL_REQUESTS");
        assert_eq!(
            c.subjects,
            ["vigil.requests.analyze", "vigil.requests.async"]
        );
        assert_eq!(c.retention, stream::RetentionPolicy::Limits);
        assert_eq!(c.storage, stream::StorageType::File);
        assert_eq!(c.max_messages, 1_000_000);
        assert_eq!(c.max_bytes, 1024 * 1024 * 500);
        assert_eq!(c.max_age, Duration::from_secs(86400));
        assert_eq!(c.max_message_size, 1024 * 1024);
        assert_eq!(c.discard, stream::DiscardPolicy::Old);
        assert_eq!(c.duplicate_window, Duration::from_secs(120));
        assert_eq!(c.num_replicas, 1);
        assert_eq!(t.stream_config(&t.results).subjects, ["vigil.results.>"]);
        assert_eq!(t.stream_config(&t.dlq).subjects, ["vigil.dlq"]);
    }

    #[test]
    fn detection_consumer_reads_both_request_subjects() {
        let t = Topology::default();
        let (stream, c) = t.consumer_config(Role::Detection).unwrap();
        assert_eq!(stream.name, "VIGIL_REQUESTS");
        assert_eq!(c.durable_name.as_deref(), Some("detection-worker"));
        assert_eq!(
            c.filter_subjects,
            ["vigil.requests.analyze", "vigil.requests.async"]
        );
        assert_eq!(c.ack_wait, Duration::from_secs(30));
        assert_eq!((c.max_deliver, c.max_ack_pending), (3, 100));
        let (_, pii) = t.consumer_config(Role::Pii).unwrap();
        assert_eq!(pii.filter_subject, "vigil.stage.pii");
        assert!(t.consumer_config(Role::Sync).is_none());
    }

    #[test]
    fn mismatch_names_the_field() {
        let t = Topology::default();
        let want = t.stream_config(&t.requests);
        let mut found = want.clone();
        assert!(stream_mismatch(&want, &found).is_none());
        found.max_age = Duration::from_secs(60);
        assert_eq!(stream_mismatch(&want, &found).unwrap().0, "max_age");

        let (_, want) = t.consumer_config(Role::Detection).unwrap();
        let mut seed = consumer::IntoConsumerConfig::into_consumer_config(want.clone());
        seed.filter_subjects.clear();
        seed.filter_subject = "vigil.requests.analyze".into();
        assert_eq!(
            consumer_mismatch(&want, &seed).unwrap().0,
            "filter_subjects"
        );
    }
}
