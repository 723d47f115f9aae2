//! Fault injection: a slow downstream. The detection worker's hand-offs take 2.5 ack waits to
//! be stored; progress acks must keep the server from redelivering them meanwhile.
#![cfg(feature = "nats")]

// Shared by the faults_* tests; each uses a part.
#[allow(dead_code)]
mod faults;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use faults::harness::Server;
use faults::{
    ResultTap, Scratch, Stages, T, WorkerProcess, check, fault_config, poison, ready_client,
    requests, submit,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// A TCP proxy in front of nats-server that holds every publish to `vigil.stage.*` for
/// `delay` before passing it on (other traffic, acks included, passes at once): from the
/// detection worker's side, a downstream stream that takes `delay` to store each hand-off.
struct SlowDownstream {
    port: u16,
    delayed: Arc<AtomicU64>,
}

impl SlowDownstream {
    async fn start(server_port: u16, delay: Duration) -> SlowDownstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let delayed = Arc::new(AtomicU64::new(0));
        let count = delayed.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(("127.0.0.1", server_port))
                    .await
                    .unwrap();
                tokio::spawn(relay(client, server, delay, count.clone()));
            }
        });
        SlowDownstream { port, delayed }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

async fn relay(client: TcpStream, server: TcpStream, delay: Duration, delayed: Arc<AtomicU64>) {
    let (mut from_client, mut client_tx) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut from_server, &mut client_tx).await;
    });
    let (frames, mut outbox) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(frame) = outbox.recv().await {
            if to_server.write_all(&frame).await.is_err() {
                break;
            }
        }
    });
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match from_client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buffer.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        while let Some((len, slow)) = next_frame(&buffer[start..]) {
            let frame = buffer[start..start + len].to_vec();
            start += len;
            if slow {
                delayed.fetch_add(1, Ordering::Relaxed);
                let frames = frames.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = frames.send(frame);
                });
            } else if frames.send(frame).is_err() {
                return;
            }
        }
        buffer.drain(..start);
    }
}

/// The length of the first complete client protocol frame in `buffer`, and whether it is a
/// publish to a stage subject. `PUB subject [reply] size` and `HPUB subject [reply] hsize
/// size` carry `size` payload bytes and a CRLF after their line; other operations are a line.
fn next_frame(buffer: &[u8]) -> Option<(usize, bool)> {
    let line_end = buffer.iter().position(|&b| b == b'\n')?.checked_sub(1)?;
    let line = std::str::from_utf8(&buffer[..line_end]).ok()?;
    let mut words = line.split_ascii_whitespace();
    let op = words.next().unwrap_or_default().to_ascii_uppercase();
    if op != "PUB" && op != "HPUB" {
        return Some((line_end + 2, false));
    }
    let args: Vec<&str> = words.collect();
    let size: usize = args.last()?.parse().ok()?;
    let len = line_end + 2 + size + 2;
    (buffer.len() >= len).then(|| (len, args[0].starts_with("vigil.stage.")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_downstream_gets_progress_acks_not_a_redelivery_storm() {
    let server = Server::start();
    let scratch = Scratch::new();
    let mut config = fault_config(&server.url());
    // Each hand-off takes 2.5 ack waits to be stored: without progress acks, every message
    // would be redelivered at least twice.
    let ack_wait = Duration::from_millis(2_000);
    let delay = ack_wait * 5 / 2;
    config.topology.detection.ack_wait_ms = 2_000;
    // 400 held at once, each sending a progress ack every ack_wait / 3: 600 acks/s. At 1,000
    // held (1,500 acks/s), this 2-core machine running three workers, the server and the test
    // fell behind on processing acks and the server redelivered 10-25% of the held messages
    // once (verdicts still stored once).
    config.topology.detection.max_ack_pending = 400;
    config.worker.backoff_initial_ms = 500;
    config.worker.backoff_max_ms = 1_000;
    config.worker.publish_ack_timeout_ms = 8_000;
    let client = ready_client(&config).await;
    let tap = ResultTap::start(&config).await;
    let load = requests("sd", 2_000);
    let bad = poison(1);

    let port: u16 = server.url().rsplit(':').next().unwrap().parse().unwrap();
    let slow = SlowDownstream::start(port, delay).await;
    let mut detection_config = config.clone();
    detection_config.connection.url = slow.url();
    let mut detection = WorkerProcess::start("detection", &detection_config, &scratch, "slow");
    let mut rest = WorkerProcess::start("pii", &config, &scratch, "pii");
    let mut arbiter = WorkerProcess::start("arbiter", &config, &scratch, "arbiter");
    let submitted = submit(&client, &load, &bad, 200, T, Default::default()).await;
    let report = check(
        &client,
        &load,
        &submitted,
        tap,
        &mut [&mut detection, &mut rest, &mut arbiter],
        Stages::Once,
        Duration::from_secs(120),
    )
    .await;
    println!(
        "{} hand-offs held {delay:?} each (ack wait {ack_wait:?}); {report:?}",
        slow.delayed.load(Ordering::Relaxed)
    );
    assert!(
        slow.delayed.load(Ordering::Relaxed) >= 2_000,
        "every hand-off was slow"
    );
    assert_eq!(
        report.deliveries[0],
        2_000 + bad.len() as u64,
        "no request delivered twice to the slow detection stage"
    );
}
