//! Fault injection on a 3-node JetStream cluster on loopback with R3 streams: the node leading
//! `VIGIL_REQUESTS` is killed mid-load, the pipeline carries on with two, and it comes back.
#![cfg(feature = "nats")]

// Shared by the faults_* tests; each uses a part.
#[allow(dead_code)]
mod faults;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream;
use faults::harness::{Cluster, wait_for};
use faults::{
    ResultTap, Scratch, Stages, Submissions, T, WorkerProcess, check, fault_config, poison,
    ready_client, requests, submit,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_node_killed_and_restarted_mid_load_loses_and_doubles_nothing() {
    let mut cluster = Cluster::start();
    let scratch = Scratch::new();
    let mut config = fault_config(&cluster.url());
    config.topology = config.topology.with_replicas(3);
    let client = ready_client(&config).await;
    let js = jetstream::new(client.nats().clone());
    let mut info = js.get_stream("VIGIL_REQUESTS").await.unwrap();
    assert_eq!(info.info().await.unwrap().config.num_replicas, 3);
    let tap = ResultTap::start(&config).await;
    let load = requests("cl", 2_000);
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
        tokio::spawn(async move { submit(&client, &load, &bad, 20, T, acked).await })
    };
    let (leader, at_kill) = wait_for("the pipeline mid-load", T, || {
        let (client, js, acked) = (client.clone(), js.clone(), acked.clone());
        async move {
            let h = client.health().await.ok()?;
            let held: u64 = h.consumers.iter().map(|c| c.ack_pending).sum();
            if acked.load(Ordering::Relaxed) < 500 || h.streams[2].messages == 0 || held == 0 {
                return None;
            }
            let mut stream = js.get_stream("VIGIL_REQUESTS").await.ok()?;
            let leader = stream.info().await.ok()?.cluster.as_ref()?.leader.clone()?;
            Some((leader, h.streams[2].messages))
        }
    })
    .await;
    tokio::task::block_in_place(|| cluster.node(&leader).kill());
    assert!(at_kill < 2_000, "killed mid-load");

    // Two nodes are a quorum: a new leader is elected and the pipeline goes on.
    let progressed = wait_for("progress with one node down", T, || {
        let client = client.clone();
        async move {
            let stored = client.health().await.ok()?.streams[2].messages;
            (stored >= at_kill + 200).then_some(stored)
        }
    })
    .await;
    let mut stream = js.get_stream("VIGIL_REQUESTS").await.unwrap();
    let new_leader = stream.info().await.unwrap().cluster.clone().unwrap().leader;
    assert_ne!(new_leader.as_deref(), Some(leader.as_str()), "a new leader");
    tokio::task::block_in_place(|| cluster.node(&leader).restart());

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
        Stages::Once,
        Duration::from_secs(120),
    )
    .await;
    println!(
        "killed leader {leader} with {at_kill} verdicts stored, {progressed} while it was down \
         (new leader {new_leader:?}); {} publish retries; {report:?}",
        submitted.retries
    );
}
