//! The `vigil` binary's NATS subcommands (`setup`, `worker`, `dlq`) against a real nats-server.
#![cfg(feature = "nats")]

// Shared with vigil-nats' tests; not every helper is used here.
#[allow(dead_code)]
#[path = "../vigil-nats/tests/harness/mod.rs"]
mod harness;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use harness::{Server, test_config, wait_for};
use vigil::core::AnalyzeRequest;
use vigil::nats::Client;

const T: Duration = Duration::from_secs(30);

fn vigil(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
        .expect("run vigil");
    assert!(
        output.status.success(),
        "vigil {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A child process killed when the test ends, even by a failed assertion.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_worker_and_dlq_commands_work_end_to_end() {
    let server = Server::start();
    let url = server.url();

    let first = stdout(&vigil(&["setup", "--nats", &url]));
    assert!(first.contains("stream VIGIL_REQUESTS: created"), "{first}");
    assert!(
        first.contains("consumer VIGIL_REQUESTS/detection-worker: created"),
        "{first}"
    );
    let second = stdout(&vigil(&["setup", "--nats", &url]));
    assert_eq!(second.lines().count(), 7, "{second}");
    assert!(
        second.lines().all(|l| l.ends_with(": unchanged")),
        "{second}"
    );

    let mut worker = Reaped(
        Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["worker", "all"])
            .env("NATS_URL", &url) // the environment works as well as --nats
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vigil worker all"),
    );

    let client = Client::connect(&test_config(&server)).await.unwrap();
    for i in 0..20 {
        let request = AnalyzeRequest::new(format!("cli-{i}"), "Summarise the meeting notes.");
        client.submit(&request).await.unwrap();
    }
    // Poison, published the plain-NATS way (the stream captures it all the same).
    client
        .nats()
        .publish("vigil.requests.analyze", "{not json".into())
        .await
        .unwrap();
    client.nats().flush().await.unwrap();
    for i in 0..20 {
        client
            .wait_for_result(&format!("cli-{i}"), T)
            .await
            .unwrap()
            .expect("verdict from the worker process");
    }
    let sync = client
        .analyze(
            &AnalyzeRequest::new("cli-sync", "hello"),
            Duration::from_secs(10),
        )
        .await
        .expect("the sync role answers");
    assert_eq!(sync.request_id, "cli-sync");

    let letter = wait_for("a dead letter", T, || {
        let client = client.clone();
        async move { client.dead_letters(10).await.ok()?.into_iter().next() }
    })
    .await;
    let listed = stdout(&vigil(&["dlq", "list", "--nats", &url]));
    let line: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    assert_eq!(line["sequence"], letter.sequence);
    assert_eq!(line["originalSubject"], "vigil.requests.analyze");
    assert!(
        line["reason"]
            .as_str()
            .unwrap()
            .starts_with("malformed_json")
    );

    let replayed = stdout(&vigil(&["dlq", "replay", "--all", "--nats", &url]));
    assert!(
        replayed.contains(&format!("replayed dead letter {}", letter.sequence)),
        "{replayed}"
    );
    // Still poison: the worker dead-letters it again, under a new sequence.
    wait_for("the replayed message dead-lettered again", T, || {
        let client = client.clone();
        async move {
            let letters = client.dead_letters(10).await.ok()?;
            (letters.len() == 1 && letters[0].sequence != letter.sequence).then_some(())
        }
    })
    .await;

    // SIGTERM: the worker drains and exits 0.
    let killed = Command::new("kill")
        .args(["-TERM", &worker.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_for("the worker to exit", T, || {
        let status = worker.0.try_wait().unwrap();
        async move { status }
    })
    .await;
    assert!(status.success(), "worker exit status {status}");
    let health = client.health().await.unwrap();
    assert!(
        health
            .consumers
            .iter()
            .all(|c| c.ack_pending == 0 && c.pending == 0)
    );
}
