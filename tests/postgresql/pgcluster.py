# SPDX-License-Identifier: Apache-2.0
"""A private, throw-away PostgreSQL cluster for ltv's tests and benchmarks.

    with PgCluster(extension_dir="build/bindings/postgresql") as pg:
        pg.psql("-c", "CREATE EXTENSION ltv")        # or pg.env for your own subprocesses

    python3 tests/postgresql/pgcluster.py --extension-dir DIR -- psql -c 'SELECT 1'

What it does, without root-owned system directories being touched:
  * the server runs as an unprivileged user: the current one, or (as root, which initdb refuses)
    the `postgres` system user of Debian's package, through runuser;
  * a temporary directory owned by that user holds a private relocated installation: PostgreSQL
    finds share/ and lib/ relative to its real executable, so `postgres`, `initdb` and `pg_ctl`
    are copied (a symlink would be resolved back to /usr) into TMP/inst/<bindir>, and
    `pg_config --sharedir` / `--pkglibdir` are mirrored as trees of symlinks at the same relative
    places, with the extension's ltv.control, ltv--*.sql and ltv.so added;
  * initdb (trust authentication, UTF8, locale C), then the server on a free port of 127.0.0.1
    with its unix socket in the temporary directory;
  * at exit — also on failure, an exception or SIGTERM/SIGINT — the server is stopped and the
    directory removed.
Clients (psql, pg_regress) run as the calling user and connect over TCP as the superuser
`postgres` (trust). Files the server itself reads (COPY FROM a file) must be readable by the
server user: check_readable() says which are not.
"""

import argparse
import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"


def pg_config(flag, pg_config_path="pg_config"):
    try:
        return subprocess.run([pg_config_path, flag], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise RuntimeError(f"pgcluster: cannot run '{pg_config_path} {flag}' ({e}); install "
                           "PostgreSQL with scripts/setup (postgresql, "
                           "postgresql-server-dev-15)") from e


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, extension_dir=None, pg_config_path="pg_config", keep=False, quiet=True,
                 settings=None):
        self.extension_dir = Path(extension_dir) if extension_dir else None
        self.pg_config_path = pg_config_path
        self.keep = keep
        self.quiet = quiet
        self.settings = dict(settings or {})
        self.tmp = None
        self.port = None
        self._started = False
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("pgcluster: running as root, and there is no 'postgres' "
                                   "user to run the server as (initdb refuses root); install "
                                   "the postgresql package (scripts/setup)") from None
            self.user, self.uid, self.gid = pw.pw_name, pw.pw_uid, pw.pw_gid
            self._as_user = ["runuser", "-u", self.user, "--"]
        else:
            pw = pwd.getpwuid(os.geteuid())
            self.user, self.uid, self.gid = pw.pw_name, os.geteuid(), os.getegid()
            self._as_user = []

    # ---- helpers ----------------------------------------------------------------------------
    def _run_as_user(self, args, **kw):
        kw.setdefault("check", True)
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(self._as_user + [str(a) for a in args], **kw)

    def unreadable(self, paths):
        """The paths among `paths` that the server user cannot read."""
        bad = []
        for p in paths:
            r = self._run_as_user(["test", "-r", str(p)], check=False)
            if r.returncode != 0:
                bad.append(str(p))
        return bad

    def check_readable(self, paths):
        bad = self.unreadable(paths)
        if bad:
            raise RuntimeError(
                f"pgcluster: the server runs as '{self.user}', who cannot read: "
                + ", ".join(bad) + " (make them and their directories readable, e.g. "
                "chmod o+rx on the directories and o+r on the files, or use a checkout and build "
                "directory outside a private home)")

    @property
    def env(self):
        """Environment for clients (psql, pg_regress) of this cluster."""
        env = dict(os.environ)
        env.update(PGHOST="127.0.0.1", PGPORT=str(self.port), PGUSER=SUPERUSER,
                   PGDATABASE="postgres", PGCONNECT_TIMEOUT="10")
        env.pop("PGPASSWORD", None)
        env.pop("PGSERVICE", None)
        return env

    @property
    def dsn(self):
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"

    def psql(self, *args, input=None, check=True, database="postgres"):
        """Runs psql (quiet, stop at the first error) and returns its stdout."""
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, *args]
        r = subprocess.run(cmd, input=input, env=self.env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"psql {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
        return r.stdout if check else r

    # ---- the private installation -----------------------------------------------------------
    def _mirror(self, real, private):
        """private/ = a directory of symlinks to real/'s entries."""
        private.mkdir(parents=True, exist_ok=True)
        for entry in Path(real).iterdir():
            link = private / entry.name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(entry)

    def _install(self):
        bindir = Path(pg_config("--bindir", self.pg_config_path))
        sharedir = Path(pg_config("--sharedir", self.pg_config_path))
        pkglibdir = Path(pg_config("--pkglibdir", self.pg_config_path))
        root = self.tmp / "inst"
        self.bindir = root / bindir.relative_to("/")
        self.bindir.mkdir(parents=True)
        for exe in ("postgres", "initdb", "pg_ctl"):
            shutil.copy2(bindir / exe, self.bindir / exe)
        private_share = root / sharedir.relative_to("/")
        private_lib = root / pkglibdir.relative_to("/")
        ext = private_share / "extension"
        ext.mkdir(parents=True)
        self._mirror(sharedir / "extension", ext)
        self._mirror(sharedir, private_share)
        self._mirror(pkglibdir, private_lib)
        if self.extension_dir:
            files = ([self.extension_dir / "ltv.so"] + sorted(self.extension_dir.glob("ltv.control"))
                     + sorted(self.extension_dir.glob("ltv--*.sql")))
            missing = [str(f) for f in files if not f.exists()]
            if missing or len(files) < 3:
                raise RuntimeError(f"pgcluster: the extension is not built in {self.extension_dir}"
                                   f" (missing {missing or 'ltv.control, ltv--*.sql'}): build "
                                   "the CMake target ltv_postgresql")
            for f in files:
                dest = (private_lib if f.suffix == ".so" else ext) / f.name
                if dest.is_symlink():
                    dest.unlink()  # a system-wide ltv install: ours wins
                shutil.copy2(f, dest)
        # ltv.so's libltv.so (rpath) must be readable by the server user, too
        if self.extension_dir:
            lib = subprocess.run(["ldd", str(self.extension_dir / "ltv.so")], capture_output=True,
                                 text=True).stdout
            paths = [line.split("=>")[1].split("(")[0].strip() for line in lib.splitlines()
                     if "libltv" in line and "=>" in line]
            if any(p == "not found" for p in paths):
                raise RuntimeError("pgcluster: ltv.so does not find libltv.so:\n" + lib)
            self.check_readable(paths)

    # ---- life cycle -------------------------------------------------------------------------
    def start(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="ltv-pg-"))
        atexit.register(self.stop)
        os.chmod(self.tmp, 0o755)
        self._install()
        data = self.tmp / "data"
        for dirpath, dirnames, filenames in os.walk(self.tmp):
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), self.uid, self.gid)
        os.chown(self.tmp, self.uid, self.gid)
        self._run_as_user([self.bindir / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust",
                           "-E", "UTF8", "--locale=C", "--no-sync"])
        options = {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(self.tmp),
                   "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                   "max_wal_size": "2GB", "shared_buffers": "128MB",
                   # files in the data directory, not /dev/shm (small in containers)
                   "dynamic_shared_memory_type": "mmap", **self.settings}
        with open(data / "postgresql.conf", "a") as conf:
            for k, v in options.items():
                conf.write(f"{k} = '{v}'\n")
        log = self.tmp / "server.log"
        last = None
        for _ in range(5):
            self.port = free_port()
            r = self._run_as_user([self.bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60",
                                   "-o", f"-p {self.port}", "start"], check=False)
            if r.returncode == 0:
                self._started = True
                return self
            last = r.stderr + r.stdout
            if log.exists():
                last += log.read_text()[-2000:]
            time.sleep(0.2)
        raise RuntimeError(f"pgcluster: the server did not start:\n{last}")

    def log(self):
        p = self.tmp / "server.log" if self.tmp else None
        return p.read_text() if p and p.exists() else ""

    def stop(self):
        if self.tmp is None:
            return
        if self._started:
            self._run_as_user([self.bindir / "pg_ctl", "-D", self.tmp / "data", "-m", "fast",
                               "-w", "stop"], check=False)
            self._started = False
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def _terminate(signum, frame):
    sys.exit(128 + signum)  # unwinds the with-block and runs atexit: the cluster is removed


def stop_on_signals():
    """SIGTERM/SIGINT/SIGHUP (ctest's timeout, Ctrl-C) stop and remove the cluster too."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _terminate)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run a command against a private PostgreSQL "
                                 "cluster (PGHOST, PGPORT, PGUSER, PGDATABASE set for it).")
    ap.add_argument("--extension-dir", help="directory with the built ltv.so, ltv.control, "
                    "ltv--*.sql (the CMake build's bindings/postgresql)")
    ap.add_argument("--pg-config", default="pg_config")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- command and arguments")
    args = ap.parse_args(argv)
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command given")
    stop_on_signals()
    with PgCluster(args.extension_dir, args.pg_config, keep=args.keep) as pg:
        print(f"pgcluster: {pg.dsn} (server user {pg.user}, {pg.tmp})", file=sys.stderr)
        return subprocess.run(cmd, env=pg.env).returncode


if __name__ == "__main__":
    sys.exit(main())
