//! Fault injection in the load itself: malformed and oversized messages mixed into thousands
//! of valid requests.
#![cfg(feature = "nats")]

// Shared by the faults_* tests; each uses a part.
#[allow(dead_code)]
mod faults;

use std::time::Duration;

use faults::harness::{Server, wait_for};
use faults::{
    ResultTap, Scratch, Stages, T, WorkerProcess, chain, check, fault_config, poison, ready_client,
    requests, stage_poison, submit,
};
use vigil::core::AnalyzeRequest;
use vigil::nats::Error;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_messages_under_load_go_to_the_dlq_and_workers_survive() {
    let server = Server::start();
    let scratch = Scratch::new();
    let config = fault_config(&server.url());
    let client = ready_client(&config).await;
    let tap = ResultTap::start(&config).await;
    let load = requests("ml", 3_000);
    // 10% bad: every kind of bad request (a 1 MB one among them) and bad stage messages.
    let mut bad = poison(20);
    bad.extend(stage_poison(45));

    // One process per role, two for detection, as a deployment would run them.
    let mut workers: Vec<WorkerProcess> = ["detection", "detection", "pii", "arbiter"]
        .iter()
        .enumerate()
        .map(|(i, role)| WorkerProcess::start(role, &config, &scratch, &format!("{role}-{i}")))
        .collect();
    wait_for("every role pulling", T, || {
        let client = client.clone();
        async move {
            let h = client.health().await.ok()?;
            h.consumers.iter().all(|c| c.waiting > 0).then_some(())
        }
    })
    .await;
    let submitted = submit(&client, &load, &bad, 200, T, Default::default()).await;

    // Too large for the request stream (1 MiB per message): refused at the door, not stored.
    let refused = client
        .submit(&AnalyzeRequest::new("ml-huge", "a".repeat(1_100_000)))
        .await
        .expect_err("a 1.1 MB request is refused");
    assert!(matches!(refused, Error::Publish { .. }), "{refused}");
    assert!(chain(&refused).contains("maximum"), "{}", chain(&refused));
    // Too large for the server (8 MB max_payload): refused by the client library.
    let refused = client
        .submit(&AnalyzeRequest::new("ml-huger", "a".repeat(9_000_000)))
        .await
        .expect_err("a 9 MB request is refused");
    assert!(matches!(refused, Error::Publish { .. }), "{refused}");

    let mut alive: Vec<&mut WorkerProcess> = workers.iter_mut().collect();
    let report = check(
        &client,
        &load,
        &submitted,
        tap,
        &mut alive,
        Stages::Once,
        Duration::from_secs(120),
    )
    .await;
    println!("{report:?}");
    assert_eq!(report.poison, 120 + 180);
}
