//! Fault injection: a `vigil worker` process SIGKILLed with thousands of requests in flight,
//! and a new one started in its place.
#![cfg(feature = "nats")]

// Shared by the faults_* tests; each uses a part.
#[allow(dead_code)]
mod faults;

use std::time::Duration;

use faults::harness::{Server, wait_for};
use faults::{
    Scratch, Stages, T, WorkerProcess, check, fault_config, poison, ready_client, requests, submit,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_killed_mid_stream_and_replaced_loses_and_doubles_nothing() {
    let server = Server::start();
    let scratch = Scratch::new();
    let config = fault_config(&server.url());
    let client = ready_client(&config).await;
    let tap = faults::ResultTap::start(&config).await;
    let load = requests("wk", 3_000);
    let bad = poison(1);

    let mut first = WorkerProcess::start("all", &config, &scratch, "first");
    let submitting = {
        let (client, load, bad) = (client.clone(), load.clone(), bad.clone());
        tokio::spawn(async move { submit(&client, &load, &bad, 200, T, Default::default()).await })
    };
    // Kill it mid-stream: some verdicts stored, many requests still ahead, messages held.
    let at_kill = wait_for("the first worker mid-stream", T, || {
        let client = client.clone();
        async move {
            let h = client.health().await.ok()?;
            let held: u64 = h.consumers.iter().map(|c| c.ack_pending).sum();
            (h.streams[2].messages >= 300 && held > 0).then_some((h.streams[2].messages, held))
        }
    })
    .await;
    first.kill9();
    assert!(at_kill.0 < 3_000, "the worker was killed before finishing");
    let mut second = WorkerProcess::start("all", &config, &scratch, "second");

    let submitted = submit_result(submitting).await;
    let report = check(
        &client,
        &load,
        &submitted,
        tap,
        &mut [&mut second],
        Stages::Once,
        Duration::from_secs(120),
    )
    .await;
    println!(
        "killed with {} verdicts stored and {} messages held; {report:?}",
        at_kill.0, at_kill.1
    );
    // The killed worker's held messages came back (after ack_wait), so some were delivered
    // twice; the checks above show none of them was stored twice.
    assert!(
        report.deliveries.iter().sum::<u64>() > 3 * 3_000 + bad.len() as u64,
        "messages held by the killed worker were redelivered: {report:?}"
    );
}

async fn submit_result(task: tokio::task::JoinHandle<faults::Submissions>) -> faults::Submissions {
    tokio::time::timeout(T, task)
        .await
        .expect("submissions finished")
        .expect("submit task")
}
