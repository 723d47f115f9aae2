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
    ResultTap, Scratch, Stages, Submissions, T, WorkerProcess, check, fault_config, poison,
    ready_client, requests, submit,
};

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
