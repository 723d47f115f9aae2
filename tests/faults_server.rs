//! Fault injection on the server side: nats-server (file storage) killed and restarted with
//! thousands of requests in flight, and full streams.
#![cfg(feature = "nats")]

// Shared by the faults_* tests; each uses a part.
#[allow(dead_code)]
mod faults;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use faults::harness::{Server, wait_for};
use faults::{
    ResultTap, Scratch, Stages, Submissions, T, WorkerProcess, chain, check, fault_config, poison,
    ready_client, requests, stream_state, submit, wait_processed,
};
use vigil::core::AnalyzeRequest;
use vigil::nats::{Client, Discard, Error, Submitted};

/// How the server goes down.
#[derive(Debug, Clone, Copy)]
enum Restart {
    /// SIGKILL: a crash.
    Crash,
    /// SIGTERM: an operator's restart (stores flushed).
    Graceful,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_crashed_and_restarted_mid_stream_stores_every_verdict_once() {
    restart_mid_stream(Restart::Crash).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarted_gracefully_mid_stream_stores_every_verdict_once() {
    restart_mid_stream(Restart::Graceful).await;
}

async fn restart_mid_stream(how: Restart) {
    let mut server = Server::start();
    let scratch = Scratch::new();
    let config = fault_config(&server.url());
    let client = ready_client(&config).await;
    let tap = ResultTap::start(&config).await;
    let load = requests("sr", 3_000);
    let bad = poison(1);

    let mut worker = WorkerProcess::start("all", &config, &scratch, "worker");
    wait_for("the worker pulling", T, || {
        let client = client.clone();
        async move { (client.health().await.ok()?.consumers[0].waiting > 0).then_some(()) }
    })
    .await;
    let acked = Arc::new(AtomicU64::new(0));
    let submitting = {
        let (client, load, bad, acked) = (client.clone(), load.clone(), bad.clone(), acked.clone());
        // Few publishers, so submitting lasts past the restart.
        tokio::spawn(async move { submit(&client, &load, &bad, 20, T, acked).await })
    };
    let at_stop = wait_for("the pipeline mid-stream", T, || {
        let (client, acked) = (client.clone(), acked.clone());
        async move {
            let h = client.health().await.ok()?;
            let held: u64 = h.consumers.iter().map(|c| c.ack_pending).sum();
            let submitted = acked.load(Ordering::Relaxed);
            (submitted >= 1_000 && h.streams[2].messages > 0 && held > 0)
                .then_some((submitted, h.streams[2].messages))
        }
    })
    .await;
    // Same port, same store.
    tokio::task::block_in_place(|| match how {
        Restart::Crash => server.restart(),
        Restart::Graceful => server.restart_gracefully(),
    });
    assert!(at_stop.0 < 3_006, "the server was restarted mid-submission");

    let submitted: Submissions = tokio::time::timeout(T, submitting)
        .await
        .expect("submissions finished")
        .expect("submit task");
    let report = check(
        &client,
        &load,
        &submitted,
        tap,
        &mut [&mut worker],
        // A stage may run twice after a restart; the verdict is still stored once.
        Stages::AfterServerRestart,
        Duration::from_secs(120),
    )
    .await;
    println!(
        "{how:?} restart after {} submissions with {} verdicts stored; {} publish retries; \
         {report:?}",
        at_stop.0, at_stop.1, submitted.retries
    );
}

/// The stream's receipts of `load`, submitted with no worker running.
async fn submit_idle(client: &Client, load: &[AnalyzeRequest]) -> Vec<Submitted> {
    submit(client, load, &[], 50, T, Default::default())
        .await
        .receipts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_request_stream_discards_the_oldest_requests_and_health_shows_where_it_cut() {
    let server = Server::start();
    let scratch = Scratch::new();
    let mut config = fault_config(&server.url());
    // The seed's VIGIL_REQUESTS policy (discard old), with a small limit.
    assert_eq!(config.topology.requests.discard, Discard::Old);
    config.topology.requests.max_msgs = 500;
    let client = ready_client(&config).await;
    let load = requests("fo", 2_000);
    // Every publish is acknowledged: discard old makes room instead of refusing.
    let receipts = submit_idle(&client, &load).await;
    let health = client.health().await.unwrap();
    let requests_stream = &health.streams[0];
    assert_eq!(
        (
            requests_stream.messages,
            requests_stream.first_sequence,
            requests_stream.last_sequence
        ),
        (500, 1_501, 2_000),
        "the stream kept the newest 500"
    );

    let mut worker = WorkerProcess::start("all", &config, &scratch, "worker");
    wait_processed(&client, "the kept requests processed", 500).await;
    worker.assert_running();
    // The report: a receipt older than the stream's first sequence was discarded unprocessed.
    for (request, receipt) in load.iter().zip(&receipts) {
        let verdict = client.result(&request.request_id).await.unwrap();
        let kept = receipt.stream_sequence >= requests_stream.first_sequence;
        assert_eq!(verdict.is_some(), kept, "{receipt:?}");
    }
    assert!(client.dead_letters(10).await.unwrap().is_empty());
    assert_eq!(stream_state(&client, "VIGIL_RESULTS").await, (500, 500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_request_stream_with_discard_new_refuses_publishers_with_an_error() {
    let server = Server::start();
    let scratch = Scratch::new();
    let mut config = fault_config(&server.url());
    config.topology.requests.max_msgs = 500;
    config.topology.requests.discard = Discard::New;
    let client = ready_client(&config).await;
    let load = requests("fn", 500);
    submit_idle(&client, &load).await;
    let refused = client
        .submit(&AnalyzeRequest::new("fn-over", "one too many"))
        .await
        .expect_err("a full discard-new stream refuses");
    assert!(matches!(refused, Error::Publish { .. }), "{refused}");
    assert!(
        chain(&refused).contains("maximum messages exceeded"),
        "{}",
        chain(&refused)
    );

    let mut worker = WorkerProcess::start("all", &config, &scratch, "worker");
    wait_processed(&client, "the accepted requests processed", 500).await;
    worker.assert_running();
    // Limits retention keeps processed requests until max_age: the stream stays full and
    // keeps refusing. Hence the seed's discard old on VIGIL_REQUESTS.
    let still = client
        .submit(&AnalyzeRequest::new("fn-later", "still full"))
        .await;
    assert!(still.is_err(), "still refused after processing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_stage_stream_refuses_hand_offs_which_retry_then_dead_letter_and_replay() {
    let server = Server::start();
    let scratch = Scratch::new();
    let mut config = fault_config(&server.url());
    // VIGIL_STAGES is discard new: full, it refuses the detection stage's hand-offs.
    assert_eq!(config.topology.stages.discard, Discard::New);
    config.topology.stages.max_msgs = 50;
    // Each delivery retries its refused hand-off for a second before it counts as failed.
    config.worker.publish_retry_ms = 1_000;
    let client = ready_client(&config).await;
    let load = requests("fs", 300);
    let mut detection = WorkerProcess::start("detection", &config, &scratch, "detection");
    submit_idle(&client, &load).await;
    // With no pii worker the stream stays full: each refused request is retried within its
    // delivery, then nak'ed with backoff, and dead-lettered on its last delivery with the reason.
    let letters = wait_for("the refused requests dead-lettered", T, || {
        let client = client.clone();
        async move {
            let h = client.health().await.ok()?;
            let letters = client.dead_letters(1_000).await.ok()?;
            (h.consumers[0].pending == 0 && h.consumers[0].ack_pending == 0).then_some(letters)
        }
    })
    .await;
    assert_eq!(letters.len(), 250, "all but the 50 that fit");
    for letter in &letters {
        assert!(
            letter.reason.starts_with("publish_failed")
                && letter.reason.contains("maximum messages"),
            "{letter:?}"
        );
        assert_eq!(letter.delivery_count, Some(3), "{letter:?}");
    }
    detection.assert_running();

    // The operator raises the limit (`vigil setup` with the new configuration) and replays
    // the DLQ: every request completes, once. (Replaying into a still-full stream would only
    // dead-letter again; and the pii stage cannot hand off while the stream is full of its own
    // input, so a full VIGIL_STAGES is fixed by raising or draining it, then replaying.)
    let mut raised = config.clone();
    raised.topology.stages.max_msgs = -1;
    Client::new(client.nats().clone(), &raised)
        .setup()
        .await
        .unwrap();
    let mut rest = WorkerProcess::start("pii", &raised, &scratch, "pii");
    let mut arbiter = WorkerProcess::start("arbiter", &raised, &scratch, "arbiter");
    for letter in &letters {
        client.replay_dead_letter(letter.sequence).await.unwrap();
    }
    for request in &load {
        assert!(
            client
                .wait_for_result(&request.request_id, T)
                .await
                .unwrap()
                .is_some(),
            "{} has a verdict after the replay",
            request.request_id
        );
    }
    for w in [&mut detection, &mut rest, &mut arbiter] {
        w.assert_running();
    }
    assert_eq!(stream_state(&client, "VIGIL_RESULTS").await, (300, 300));
    assert_eq!(stream_state(&client, "VIGIL_DLQ").await.0, 0);
}
