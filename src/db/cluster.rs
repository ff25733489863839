//! A private PostgreSQL cluster run from the machine's installed server binaries,
//! so that nothing has to be set up: `initdb` once, `pg_ctl start` on a unix
//! socket inside the data directory (no TCP port), `pg_ctl stop` on shutdown.
//!
//! PostgreSQL refuses to run as root; as root the binaries run as the `postgres`
//! system user on a directory it owns. That user must be able to traverse every
//! parent directory, so a data directory it cannot reach (e.g. under /root) is
//! replaced by one under the system temp dir, and the log says so.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sqlx::postgres::PgConnectOptions;

/// The database user the cluster is initialised with (trust auth on the socket).
pub const SUPERUSER: &str = "kontoregister";

/// A running (or startable) private cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    bindir: PathBuf,
    /// The PostgreSQL data directory (`PGDATA`).
    pub pgdata: PathBuf,
    /// Directory holding the unix socket.
    pub socket_dir: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    /// Prepare a cluster in `data_dir` (created if missing); does not start it.
    pub fn new(data_dir: &Path) -> anyhow::Result<Self> {
        let bindir = find_bindir()?;
        let as_postgres = is_root();
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let mut base = std::fs::canonicalize(data_dir)?;
        if as_postgres && !traversable_by_others(&base) {
            let alt = std::env::temp_dir().join(format!("kontoregister-{}", path_tag(&base)));
            tracing::warn!(
                "the postgres user cannot reach {}; the private cluster lives in {} instead",
                base.display(),
                alt.display()
            );
            std::fs::create_dir_all(&alt)?;
            base = alt;
        }
        if as_postgres {
            chown_postgres(&base)?;
        }
        Ok(Self { bindir, pgdata: base.join("pg"), socket_dir: base, as_postgres })
    }

    fn command(&self, program: &str) -> Command {
        let bin = self.bindir.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.arg("-u").arg("postgres").arg("--").arg(bin);
            c
        } else {
            Command::new(bin)
        }
    }

    fn run(&self, mut cmd: Command, what: &str) -> anyhow::Result<()> {
        let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
        if !out.status.success() {
            bail!(
                "{what} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// `initdb` when the cluster does not exist yet; then start it.
    /// A stale `postmaster.pid` left by a crash is removed first.
    pub fn start(&self) -> anyhow::Result<()> {
        if !self.pgdata.join("PG_VERSION").exists() {
            let mut c = self.command("initdb");
            c.arg("-D").arg(&self.pgdata).args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8"]);
            c.args(["--locale=C.UTF-8", "--no-sync"]);
            self.run(c, "initdb")?;
        }
        if self.is_running() {
            return Ok(());
        }
        self.remove_stale_pid();
        let opts = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c unix_socket_permissions=0700",
            self.socket_dir.display()
        );
        let mut c = self.command("pg_ctl");
        c.arg("-D").arg(&self.pgdata).arg("-l").arg(self.pgdata.join("server.log"));
        c.args(["-w", "-t", "60", "-o", &opts, "start"]);
        c.stdin(std::process::Stdio::null());
        self.run(c, "pg_ctl start")
    }

    /// Stop the cluster cleanly (fast shutdown: sessions are ended, data is flushed).
    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        let mut c = self.command("pg_ctl");
        c.arg("-D").arg(&self.pgdata).args(["-w", "-m", "fast", "stop"]);
        self.run(c, "pg_ctl stop")
    }

    /// Whether the postmaster named in `postmaster.pid` is alive.
    pub fn is_running(&self) -> bool {
        self.postmaster_pid().is_some_and(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim().starts_with("postgres"))
        })
    }

    fn postmaster_pid(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.pgdata.join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    fn remove_stale_pid(&self) {
        let pidfile = self.pgdata.join("postmaster.pid");
        if pidfile.exists() {
            tracing::warn!("removing stale {} left by an unclean stop", pidfile.display());
            let _ = std::fs::remove_file(pidfile);
        }
    }

    /// Connection options for a database of this cluster.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .host(&self.socket_dir.to_string_lossy())
            .username(SUPERUSER)
            .database(database)
    }
}

fn find_bindir() -> anyhow::Result<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() && dir.join("pg_ctl").exists() {
            return Ok(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.retain(|d| d.join("initdb").exists() && d.join("pg_ctl").exists());
    found.sort();
    found.pop().context(
        "no PostgreSQL server binaries found (initdb, pg_ctl): install PostgreSQL \
         (Debian: apt-get install postgresql) or set DATABASE_URL",
    )
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether every ancestor of `path` is traversable by an unrelated user.
fn traversable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.ancestors().skip(1).all(|p| std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

fn chown_postgres(path: &Path) -> anyhow::Result<()> {
    let status = Command::new("chown").arg("-R").arg("postgres:postgres").arg(path).status()?;
    if !status.success() {
        bail!("cannot give {} to the postgres user", path.display());
    }
    Ok(())
}

/// A short stable tag for a path, so two checkouts get two clusters.
fn path_tag(path: &Path) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    format!("{:016x}", h.finish())
}
