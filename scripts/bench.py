#!/usr/bin/env python3
"""Timing loop of `make bench` (started by scripts/bench.sh, which builds and starts the stand-in).

Every measured command is started with posix_spawn, the same tiny environment (PATH and
COVEO_TOKEN only: no proxies, no SSL_CERT_FILE, no HOME so no ~/.curlrc either), stdout to
/dev/null and stderr to a scratch file that is shown if the command fails. Wall time runs from
just before the spawn to the return of waitpid. The commands of one comparison run in the same
iteration, in a rotating order, so that machine noise hits each of them alike; the table shows
medians. Any run that does not exit 0 aborts the benchmark.

Standard library only (Python 3.11).
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ENV = {"PATH": "/usr/bin:/bin", "COVEO_TOKEN": "t"}
MIB = 1024 * 1024

# Targets of issue 5.
TARGET_HTTPS_SINGLE = 0.4
TARGET_BATCH = 0.75
TARGET_RSS_KIB = 5 * 1024
TARGET_SIZE_BYTES = 1.8 * MIB
TARGET_CRATES = 30


def env_int(name, default, minimum=1):
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        sys.exit(f"bench: {name}={raw!r} is not a whole number")
    if value < minimum:
        sys.exit(f"bench: {name} must be at least {minimum}")
    return value


class Failed(Exception):
    pass


class Runner:
    def __init__(self, scratch):
        self.stderr_path = os.path.join(scratch, "stderr")
        self.stdout_path = os.path.join(scratch, "stdout")

    def run(self, argv, capture=False):
        """Runs argv to completion; returns wall nanoseconds (and stdout when `capture`)."""
        out = self.stdout_path if capture else os.devnull
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, self.stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        start = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, ENV, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        wall = time.perf_counter_ns() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            with open(self.stderr_path, errors="replace") as f:
                err = f.read()
            shown = " ".join(argv[:14]) + (" ..." if len(argv) > 14 else "")
            raise Failed(f"command failed (exit status {code}): {shown}\n--- its stderr:\n{err}")
        if capture:
            with open(self.stdout_path, errors="replace") as f:
                return wall, f.read()
        return wall


def measure(runner, commands, runs, warmup, only_first=None):
    """Interleaved runs. `commands`: {name: argv}; `only_first`: {name: n} runs that command in
    the first n iterations only (and warms it up once at most). Returns {name: [ms, ...]}."""
    names = list(commands)
    limit = {name: runs for name in names} | (only_first or {})
    warm = {name: warmup if limit[name] == runs else min(warmup, 1) for name in names}
    samples = {name: [] for name in names}
    for i in range(-warmup, runs):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            if i < -warm[name] or i >= limit[name]:
                continue
            wall = runner.run(commands[name])
            if i >= 0:
                samples[name].append(wall / 1e6)
    return samples


def peak_rss(runner, time_bin, argv, runs, scratch):
    """Median of the max RSS (KiB) GNU time reports for argv."""
    out = os.path.join(scratch, "time")
    values = []
    for _ in range(runs):
        runner.run([time_bin, "-f", "%M", "-o", out, *argv])
        with open(out) as f:
            values.append(int(f.read().split()[-1]))
    return statistics.median(values), values


def elf_has_symtab(path):
    """True if the ELF file still has a .symtab section (not stripped); None if not a 64-bit ELF."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:5] != b"\x7fELF\x02":
        return None
    end = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(end + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x3A)
    if shoff == 0 or shnum == 0:
        return False

    def section(i):
        return struct.unpack_from(end + "IIQQQQ", data, shoff + i * shentsize)

    strtab_off = section(shstrndx)[4]
    for i in range(shnum):
        name_off, kind = section(i)[:2]
        name = data[strtab_off + name_off:data.index(b"\0", strtab_off + name_off)]
        if kind == 2 and name == b".symtab":  # SHT_SYMTAB
            return True
    return False


def fmt_ms(v):
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"


def verdict(ok):
    return "yes" if ok else "**no**"


def first_line(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "(unavailable)"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tool", required=True)
    p.add_argument("--http", required=True)
    p.add_argument("--https", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--crates", default="")
    a = p.parse_args()

    single_runs = env_int("BENCH_RUNS", 41)
    batch_runs = env_int("BENCH_BATCH_RUNS", 11)
    loop_runs = env_int("BENCH_LOOP_RUNS", 5)
    rss_runs = env_int("BENCH_RSS_RUNS", 5)
    warmup = env_int("BENCH_WARMUP", 3, minimum=0)
    batch = env_int("BENCH_BATCH", 200)
    loop_runs = min(loop_runs, batch_runs)

    tool = os.path.abspath(a.tool)
    curl = shutil.which("curl", path=ENV["PATH"])
    bash = shutil.which("bash", path=ENV["PATH"])
    time_bin = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    scratch = tempfile.mkdtemp(prefix="coveo-org-delete-bench-")
    try:
        report(a, tool, curl, bash, time_bin, scratch, single_runs, batch_runs, loop_runs,
               rss_runs, warmup, batch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(a, tool, curl, bash, time_bin, scratch, single_runs, batch_runs, loop_runs, rss_runs,
           warmup, batch):
    runner = Runner(scratch)
    notes = []

    # The commands.
    auth = ["-H", "Authorization: Bearer t", "-H", "Accept: application/json"]
    curl_base = [curl, "-q", "-sS", "-f", "-X", "DELETE", *auth] if curl else None
    tool_http = [tool, "--yes", "--platform-url", a.http, "org1"]
    tool_https = [tool, "--yes", "--ca-file", a.ca, "--platform-url", a.https, "org1"]
    ids = [f"org{i:03d}" for i in range(1, batch + 1)]
    tool_batch = [tool, "--yes", "--ca-file", a.ca, "--platform-url", a.https, *ids]
    if curl:
        curl_http = [*curl_base, "-o", "/dev/null", f"{a.http}/rest/organizations/org1"]
        curl_https = [*curl_base, "--cacert", a.ca, "-o", "/dev/null",
                      f"{a.https}/rest/organizations/org1"]
        curl_batch = [*curl_base, "--fail-early", "--cacert", a.ca]
        for i in ids:
            curl_batch += ["-o", "/dev/null", f"{a.https}/rest/organizations/{i}"]
        loop_script = ('c=$1; ca=$2; shift 2; for u; do "$c" -q -sS -f -X DELETE '
                       '-H "Authorization: Bearer t" -H "Accept: application/json" '
                       '--cacert "$ca" -o /dev/null "$u" || exit; done')
        curl_loop = [bash, "-c", loop_script, "curl-loop", curl, a.ca,
                     *[f"{a.https}/rest/organizations/{i}" for i in ids]] if bash else None
    else:
        notes.append("curl not found on PATH=/usr/bin:/bin: the curl columns are empty.")
        curl_http = curl_https = curl_batch = curl_loop = None
    if curl and not bash:
        notes.append("bash not found: no shell loop of curl calls.")

    # Sanity: every command does what it should before anything is timed.
    _, out = runner.run(tool_batch[:-batch] + ids[:2], capture=True)
    lines = out.splitlines()
    if len(lines) != 2 or not all('"result":"deleted"' in l and '"http_status":204' in l for l in lines):
        raise Failed(f"unexpected output of the tool against the stand-in:\n{out}")
    if curl:
        check = [*curl_base, "--cacert", a.ca, "-o", "/dev/null", "-w", "%{http_code}\\n",
                 f"{a.https}/rest/organizations/org1", "-o", "/dev/null",
                 f"{a.http}/rest/organizations/org1"]
        _, out = runner.run(check, capture=True)
        if out.split() != ["204", "204"]:
            raise Failed(f"unexpected answer of the stand-in to curl: {out!r}")

    def pair(tool_argv, curl_argv, runs, extra=None):
        commands = {"tool": tool_argv}
        if curl_argv:
            commands["curl"] = curl_argv
        only = {}
        if extra and extra[1]:
            commands[extra[0]] = extra[1]
            only[extra[0]] = extra[2]
        return measure(runner, commands, runs, warmup, only)

    began = time.monotonic()
    print(f"bench: one deletion over HTTP, {single_runs} runs each ...", file=sys.stderr)
    s_http = pair(tool_http, curl_http, single_runs)
    print(f"bench: one deletion over HTTPS, {single_runs} runs each ...", file=sys.stderr)
    s_https = pair(tool_https, curl_https, single_runs)
    print(f"bench: {batch} deletions over HTTPS, {batch_runs} runs each"
          f" ({loop_runs} of the shell loop) ...", file=sys.stderr)
    s_batch = pair(tool_batch, curl_batch, batch_runs,
                   ("loop", curl_loop, loop_runs) if curl_loop else None)

    rss = {}
    if time_bin:
        print(f"bench: peak RSS, {rss_runs} runs each ...", file=sys.stderr)
        rss["floor"] = peak_rss(runner, time_bin, ["/bin/true"], rss_runs, scratch)
        rss["tool"] = peak_rss(runner, time_bin, tool_https, rss_runs, scratch)
        if curl:
            rss["curl"] = peak_rss(runner, time_bin, curl_https, rss_runs, scratch)
    else:
        notes.append("/usr/bin/time not found: no peak RSS row.")
    elapsed = time.monotonic() - began

    size = os.path.getsize(tool)
    stripped = elf_has_symtab(tool)

    # Report.
    med = statistics.median
    print("## coveo-org-delete vs curl")
    print()
    print("- Server: the project's stand-in of the Coveo "
          "platform (`examples/standin.rs --bench`, thread per connection, rustls), on 127.0.0.1 in "
          "the same machine: plain HTTP, and HTTPS with a fresh test CA and a certificate for "
          "`localhost`; every DELETE gets 204 and an X-Request-ID. Not nginx.")
    print(f"- Machine: {first_line(['nproc'])} CPUs, {first_line(['uname', '-m'])}, "
          f"{platform.platform(terse=True)}")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"- curl: {first_line([curl, '--version']) if curl else 'not found'}")
    print(f"- rustc: {first_line(['rustc', '--version'])}")
    print(f"- Runs (medians over): {single_runs} per single-deletion command, {batch_runs} per "
          f"{batch}-deletion command ({loop_runs} for the shell loop), {rss_runs} for peak RSS; "
          f"{warmup} warm-up runs before each; commands interleaved run by run "
          "(env: BENCH_RUNS, BENCH_BATCH_RUNS, BENCH_LOOP_RUNS, BENCH_RSS_RUNS, BENCH_WARMUP, "
          "BENCH_BATCH).")
    print(f"- Measuring took {elapsed:.0f} s.")
    for n in notes:
        print(f"- Note: {n}")
    print()
    print("| What | coveo-org-delete | curl | tool/curl | Target | Met |")
    print("|---|---:|---:|---:|---|---|")

    def time_row(what, samples, other="curl", target=None):
        t = med(samples["tool"])
        if other in samples:
            c = med(samples[other])
            ratio = t / c
            cells = [fmt_ms(t), fmt_ms(c), f"{ratio:.2f}x"]
            met = verdict(ratio <= target) if target else "—"
        else:
            cells = [fmt_ms(t), "—", "—"]
            met = "—"
        tgt = f"≤ {target}x" if target else "—"
        print(f"| {what} | " + " | ".join(cells) + f" | {tgt} | {met} |")

    time_row("One deletion, HTTP (`curl -X DELETE`)", s_http)
    time_row("One deletion, HTTPS, test CA (`curl --cacert`)", s_https, target=TARGET_HTTPS_SINGLE)
    time_row(f"{batch} deletions, HTTPS, one run vs one `curl` with {batch} URLs", s_batch,
             target=TARGET_BATCH)
    if "loop" in s_batch:
        time_row(f"{batch} deletions, HTTPS, one run vs a shell loop of {batch} `curl`", s_batch,
                 other="loop")
    if "tool" in rss:
        t = rss["tool"][0]
        c = rss["curl"][0] if "curl" in rss else None
        print(f"| Peak RSS, one HTTPS deletion (`/usr/bin/time -f %M`) | {t:.0f} KiB | "
              + (f"{c:.0f} KiB | {t / c:.2f}x" if c else "— | —")
              + f" | ≤ 5 MiB ({TARGET_RSS_KIB} KiB) | {verdict(t <= TARGET_RSS_KIB)} |")
    strip_note = {True: ", **not stripped**", False: ", stripped", None: ""}[stripped]
    print(f"| Release binary size{strip_note} | {size} B ({size / MIB:.2f} MiB) | — | — | "
          f"≤ 1.8 MiB | {verdict(size <= TARGET_SIZE_BYTES)} |")
    if a.crates.isdigit():
        n = int(a.crates)
        print(f"| Crates in the runtime dependency tree (`cargo tree -e normal`) | {n} | — | — | "
              f"≤ {TARGET_CRATES} | {verdict(n <= TARGET_CRATES)} |")
    else:
        print("| Crates in the runtime dependency tree | (cargo tree failed) | — | — | "
              f"≤ {TARGET_CRATES} | — |")
    print()
    print("Spread (ms, min / median / max):")
    print()
    for title, samples in [("one deletion, HTTP", s_http), ("one deletion, HTTPS", s_https),
                           (f"{batch} deletions, HTTPS", s_batch)]:
        for name, values in samples.items():
            label = {"tool": "coveo-org-delete", "curl": "curl", "loop": "shell loop of curl"}[name]
            print(f"- {title}, {label}: {min(values):.2f} / {med(values):.2f} / {max(values):.2f}"
                  f" ({len(values)} runs)")
    if "floor" in rss:
        floor = rss["floor"][0]
        print(f"- peak RSS (KiB, median; runs: tool {rss['tool'][1]}"
              + (f", curl {rss['curl'][1]}" if "curl" in rss else "")
              + f"); `/usr/bin/time -f %M /bin/true` reports {floor:.0f} KiB, the floor of this "
              "way of measuring.")


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print(f"\nbench: ABORTED: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        sys.exit(130)
