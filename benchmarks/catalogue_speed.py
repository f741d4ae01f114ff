"""podcast-feed against genRSS and the stat floor, whole processes, at 100 / 1,000 / 10,000
episodes (a corpus from `corpus.py`): cold, no-change and one-change builds, start-up, and the
peak memory of each process tree. Prints a Markdown table of medians and ratios. A copy of
the show with `site: false` is built too: the feed alone, as genRSS writes it.

genRSS (PyPI `generss`) writes a feed from a folder of audio files: no notes, no checks, no
chapters or transcripts, no website. It is installed into this benchmark's own virtual
environment (`benchmarks/.genrss-venv`) on first run. The stat floor is a Python process that
stats every input file and compares the result with a pickle of the previous one: the least
any "has anything changed?" build can cost.

    python benchmarks/catalogue_speed.py                 # 100, 1000, 10000; 3 runs
    python benchmarks/catalogue_speed.py 1000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections.abc import Sequence
from pathlib import Path

from corpus import base_recordings, make_show

from podcast_feed.notes import ALLOWED_TAGS

HERE = Path(__file__).resolve().parent
GENRSS_VENV = HERE / ".genrss-venv"
ENVIRONMENT = {
    name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"
}
"""As a user's machine runs them: compiled modules cached (some CI images turn that off,
and every start-up would then compile podcast-feed's modules again)."""


def genrss_command() -> Path:
    """genRSS in its own environment, installed once."""
    command = GENRSS_VENV / "bin" / "genRSS"
    if not command.exists():
        venv.create(GENRSS_VENV, with_pip=True)
        subprocess.run(
            [GENRSS_VENV / "bin" / "pip", "install", "--quiet", "generss>=0.3"], check=True
        )
    return command


def _tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants (a process pool included), as their
    proportional set sizes: pages a forked worker shares with its parent count once."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(rollup.split("\nPss:")[1].split()[0]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(command: Sequence[str | Path], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak MiB of the process tree, sampled every 5 ms (a new peak is read
    twice, and the lower reading kept).

    What earlier steps left unwritten is flushed first: a build ends with one `os.sync()`,
    which would otherwise also wait for the pages and deletions of the step before it."""
    os.sync()
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(part) for part in command],
        cwd=cwd,
        env=ENVIRONMENT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    done = threading.Event()

    def sample() -> None:
        # every 5 ms for the first second, then every 50 ms: reading smaps_rollup of a big
        # process tree contends with its page faults, and at 5 ms it slowed a 10,000-episode
        # build with a process pool by half (55 s against 39 s unsampled)
        nonlocal peak
        while not done.is_set():
            reading = _tree_rss(process.pid)
            if reading > peak:
                # a process forked (a pool's worker, the writing process) between the reading
                # of its parent and its own is counted twice, once whole: a peak must be
                # read three times (one run read 307 MiB where three read 221 to 225; read
                # twice, a pool forking its two workers one after the other read 325 MiB for
                # a clean build that six direct runs put at 224 to 227)
                reading = min(reading, _tree_rss(process.pid), _tree_rss(process.pid))
            peak = max(peak, reading)
            time.sleep(0.005 if time.perf_counter() - start < 1 else 0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{command} failed:\n{errors.decode()[-2000:]}")
    return elapsed, peak / 2**20


def stat_floor(root: Path, state: Path) -> None:
    """Stat every input file and compare with the last state: run as its own process."""
    seen = {}
    for folder in ("podcast.yaml", "episodes", "media"):
        stack = [root / folder]
        while stack:
            path = stack.pop()
            if path.is_dir():
                stack += [Path(entry.path) for entry in os.scandir(path)]
            else:
                status = path.stat()
                seen[str(path)] = (status.st_size, status.st_mtime_ns)
    previous = pickle.loads(state.read_bytes()) if state.exists() else None
    if previous != seen:
        state.write_bytes(pickle.dumps(seen))


def _library_work(path: str) -> tuple[dict[str, object], str, float, int]:
    """One episode through the libraries alone: its front matter parsed (PyYAML's C loader),
    its notes rendered (cmarkgfm) and sanitised (nh3), its audio's duration read with mutagen
    as genRSS reads it, its size."""
    import cmarkgfm
    import mutagen
    import nh3
    import yaml
    from cmarkgfm.cmark import Options

    text = Path(path).read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    notes = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)
    notes = nh3.clean(notes, tags=set(ALLOWED_TAGS))
    audio = Path(path).parent.parent / "media" / meta["audio"]
    length = mutagen.File(audio).info.length
    return meta, notes, length, audio.stat().st_size


def library_floor(root: Path, feed: Path, processes: int) -> None:
    """The least a feed with notes costs in Python with podcast-feed's libraries, run as its
    own process: each episode through `_library_work` (on `processes` processes), then one
    feed written with lxml (title, guid, enclosure, duration, the notes twice). No validation,
    checks, chapters, transcripts or website; podcast-feed does all of those besides."""
    from lxml import etree

    itunes, content = (
        "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "http://purl.org/rss/1.0/modules/content/",
    )
    names = sorted(str(path) for path in (root / "episodes").glob("*.md"))
    if processes > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(processes) as pool:
            episodes = pool.map(_library_work, names, chunksize=64)
    else:
        episodes = [_library_work(name) for name in names]
    rss = etree.Element("rss", nsmap={"itunes": itunes, "content": content}, version="2.0")
    channel = etree.SubElement(rss, "channel")
    etree.SubElement(channel, "title").text = "Bench"
    for meta, notes, length, size in episodes:
        item = etree.SubElement(channel, "item")
        etree.SubElement(item, "title").text = str(meta["title"])
        etree.SubElement(item, "guid", isPermaLink="false").text = str(meta["guid"])
        url = f"https://example.com/media/{meta['audio']}"
        etree.SubElement(item, "enclosure", url=url, length=str(size), type="audio/mpeg")
        etree.SubElement(item, f"{{{itunes}}}duration").text = str(round(length))
        etree.SubElement(item, "description").text = notes
        etree.SubElement(item, f"{{{content}}}encoded").text = etree.CDATA(notes)
    etree.ElementTree(rss).write(str(feed), xml_declaration=True, encoding="UTF-8")


_EDITS_PER_RUN = 3
"""One-change builds (each followed by a no-change one) per run: they are cheap beside the
cold builds, and their ratio, the noisiest figure here, wants more than three samples."""


def _edit_one(root: Path, edit: int) -> None:
    """Episode 1's notes get a line; dated 10 s ago, as a commit pulled by CI would be."""
    path = root / "episodes" / "00001.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\nEdit {edit}.\n")
    past = time.time() - 10
    os.utime(path, (past, past))


def _without_site(root: Path, copy: Path) -> Path:
    """The show at `root` as a show with `site: false`, what genRSS writes being a feed alone:
    its files hard-linked (no copy of the audio), podcast.yaml a file of its own."""
    shutil.copytree(root, copy, copy_function=os.link)
    settings = copy / "podcast.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.unlink()  # not the show's own podcast.yaml, which is the same file
    settings.write_text(text + "\nsite: false\n", encoding="utf-8")
    return copy


def run_size(
    count: int, runs: int, genrss: Path, recordings: dict[str, Path], workspace: Path
) -> list[str]:
    """The rows for `count` episodes. What the builds write stays in `workspace` until the
    whole benchmark ends: on this VM's disk, the first ~10,000 files created after deleting as
    many took 3 to 6 s instead of 0.35 (a loop of `os.open` and `write`, measured), and every
    cold build after the last run's deletions paid that, not genRSS, which writes one file."""
    scratch = Path(tempfile.mkdtemp(prefix=f"catalogue-{count}-", dir=workspace))
    root = scratch / "show"
    make_show(root, count, recordings)
    feed: list[str | Path] = [sys.executable, "-m", "podcast_feed", "build", "--root", root]
    feed_only = [*feed[:-1], _without_site(root, scratch / "feed-only")]
    genrss_build: list[str | Path] = [genrss, "-d", "media", "-e", "mp3,m4a"]
    genrss_build += ["-H", "https://example.com", "-t", "Bench", "-o", scratch / "genrss.xml"]
    times: dict[str, list[tuple[float, float]]] = {}

    def record(name: str, result: tuple[float, float]) -> None:
        times.setdefault(name, []).append(result)

    floor_state = scratch / "floor.pickle"
    floor: list[str | Path] = [sys.executable, Path(__file__), "--stat-floor", root, floor_state]
    measure(floor)  # the state to compare with
    library: list[str | Path] = [sys.executable, Path(__file__), "--library-floor", root]
    for run in range(runs):
        output, cache = scratch / f"out-{run}", scratch / f"cache-{run}"
        # each cold build writes into an empty folder: into the last run's, it would only
        # compare its pages with the ones there (none changed) and write none
        uncached, feed_alone = scratch / f"nocache-{run}", scratch / f"feed-alone-{run}"
        cached = [*feed, "--output", output, "--cache-dir", cache]
        feed_only_cold = [*feed_only, "--output", feed_alone, "--no-cache"]
        steps: list[tuple[str, list[str | Path], Path | None]] = [
            ("genRSS", genrss_build, root),
            ("cold, no cache", [*feed, "--output", uncached, "--no-cache"], None),
            ("cold, no cache, site: false", feed_only_cold, None),
            ("library floor, one process", [*library, scratch / "floor.xml", "1"], None),
            ("library floor, two processes", [*library, scratch / "floor.xml", "2"], None),
            ("cold", cached, None),
            ("no-change", cached, None),
            ("stat floor", floor, None),
        ]
        if run % 2:  # alternate the order: a noisy minute must not favour one side
            steps = steps[5:] + steps[:5]
        for name, command, cwd in steps:
            record(name, measure(command, cwd))
        for edit in range(_EDITS_PER_RUN):
            _edit_one(root, run * _EDITS_PER_RUN + edit)
            record("one-change", measure(cached))
            record("no-change", measure(cached))
    seconds = {name: statistics.median(t for t, _ in found) for name, found in times.items()}
    memory = {name: max(m for _, m in found) for name, found in times.items()}
    rows = []
    for name in (
        "genRSS",
        "library floor, one process",
        "library floor, two processes",
        "cold, no cache, site: false",
        "cold, no cache",
        "cold",
        "no-change",
        "one-change",
        "stat floor",
    ):
        # the cold builds and the library floors are against genRSS, the floors themselves
        # against nothing
        compared = {"no-change": "stat floor", "one-change": "no-change"}
        anchor = compared.get(name, "" if name in ("genRSS", "stat floor") else "genRSS")
        versus = f"{seconds[name] / seconds[anchor]:.2f}x {anchor}" if anchor in seconds else ""
        rows.append(
            f"| {count:,} | {name} | {seconds[name]:.2f} s | {versus} | {memory[name]:.0f} MiB |"
        )
    return rows


def serve_rebuild(count: int, runs: int, recordings: dict[str, Path], workspace: Path) -> str:
    """What `serve` does on a save: the same process builds again (modules loaded, cache
    open) after one episode file changed. Run in a child process of its own."""
    scratch = Path(tempfile.mkdtemp(prefix=f"serve-{count}-", dir=workspace))
    make_show(scratch / "show", count, recordings)
    code = (
        "import statistics, sys, time\n"
        "from pathlib import Path\n"
        "from podcast_feed.build import build\n"
        "from podcast_feed.cache import Cache\n"
        f"root, output = Path({str(scratch / 'show')!r}), Path({str(scratch / 'out')!r})\n"
        "cache = Cache.open(Path(sys.argv[1]))\n"
        "build(root, output, cache=cache, served_from='http://127.0.0.1:8000')\n"
        "seconds = []\n"
        f"for run in range({runs * 3}):\n"
        "    path = root / 'episodes' / '00001.md'\n"
        "    path.write_text(path.read_text() + f'Saved {run}.\\n')\n"
        "    start = time.perf_counter()\n"
        "    build(root, output, cache=cache, served_from='http://127.0.0.1:8000')\n"
        "    seconds.append(time.perf_counter() - start)\n"
        "print(statistics.median(seconds))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, scratch / "cache"],
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        check=True,
    )
    return f"| {count:,} | serve: rebuild after a save | {float(result.stdout):.2f} s | | |"


def import_time() -> float:
    """Milliseconds Python itself counts for `import podcast_feed.cli` (`-X importtime`): the
    import alone, without the interpreter's start and the modules' teardown at exit."""
    found = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import podcast_feed.cli"],
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        check=True,
    ).stderr
    for line in found.splitlines():
        if not line.startswith("import time:"):
            continue  # a warning, say
        _, cumulative, name = line.split("|")
        if name.strip() == "podcast_feed.cli":
            return int(cumulative) / 1000
    raise SystemExit("-X importtime did not list podcast_feed.cli")


def start_up(runs: int, genrss: Path) -> list[str]:
    commands: dict[str, list[str | Path]] = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "import podcast_feed.cli": [sys.executable, "-c", "import podcast_feed.cli"],
        "podcast-feed --version": [sys.executable, "-m", "podcast_feed", "--version"],
        "podcast-feed --help": [sys.executable, "-m", "podcast_feed", "--help"],
        "genRSS --version": [genrss, "--version"],
    }
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs * 3):
        for name, command in commands.items():
            seconds[name].append(measure(command)[0])
    median = {name: statistics.median(found) for name, found in seconds.items()}
    inside = statistics.median(import_time() for _ in range(runs * 3))
    rows = [
        f"| import podcast_feed.cli, inside the process (`-X importtime`) | {inside:.0f} ms | |"
    ]
    for name in commands:
        versus = (
            f"{median[name] / median['genRSS --version']:.2f}x genRSS --version"
            if name.startswith("podcast-feed")
            else f"+{(median[name] - median['python -c pass (floor)']) * 1000:.0f} ms over "
            "the interpreter"
            if name.startswith("import")
            else ""
        )
        rows.append(f"| {name} | {median[name] * 1000:.0f} ms | {versus} |")
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--stat-floor"]:
        stat_floor(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    if sys.argv[1:2] == ["--library-floor"]:
        library_floor(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    genrss = genrss_command()
    print("| start-up | median | compared |\n|---|---|---|")
    print("\n".join(start_up(arguments.runs, genrss)), flush=True)
    print("\n| episodes | build | median | compared | peak memory |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        recordings = base_recordings(Path(scratch))
        for count in arguments.sizes:
            rows = run_size(count, arguments.runs, genrss, recordings, Path(scratch))
            print("\n".join(rows), flush=True)
            print(serve_rebuild(count, arguments.runs, recordings, Path(scratch)), flush=True)


if __name__ == "__main__":
    main()
