"""Publishing a large show to an S3 API server on this machine: first publish, a publish with
nothing changed, and one with one episode's notes and one new episode changed.

The server is moto's (`moto_server`, a separate process on 127.0.0.1) and the show is the one
`build_speed.py` makes: each episode its own ~247 kB MP3 and ~3 KB of notes. Each figure is the
median of several runs, printed beside two floors measured in the same run, so that the ratios
mean something on a loaded machine:

- `build`: the cold build alone, which every publish does first;
- `raw upload`: every file put into a fresh bucket with obstore, with no build, no hashing, no
  plan and no verification (what a bare `aws s3 sync` to an empty bucket would cost at best).

    python benchmarks/publish_speed.py                 # 1,000 episodes, 3 runs
    python benchmarks/publish_speed.py --episodes 200 --runs 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import obstore
from obstore.store import from_url

from podcast_feed.build import build
from podcast_feed.publish import publish

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import make_show


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, endpoint
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto_server did not start")


def new_bucket(endpoint: str) -> str:
    name = f"bench-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    ).create_bucket(Bucket=name)
    return name


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def raw_upload(root: Path, built: Path, bucket: str) -> None:
    """The floor: every file put once, eight at a time, nothing else."""
    store = from_url(f"s3://{bucket}/show", client_options={"allow_http": True})
    files = [(f"media/{p.name}", p) for p in sorted((root / "media").iterdir()) if p.is_file()]
    files += [(p.relative_to(built).as_posix(), p) for p in built.rglob("*") if p.is_file()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda item: obstore.put(store, item[0], item[1]), files))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    server, endpoint = start_server()
    os.environ.update(
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="x",
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION="us-east-1",
        AWS_ALLOW_HTTP="true",
        AWS_METADATA_ENDPOINT="http://127.0.0.1:9",
    )
    figures: dict[str, list[float]] = {
        "build (floor)": [],
        "raw upload (floor)": [],
        "first publish": [],
        "no-change publish": [],
        "one-change publish": [],
    }
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "show"
            root.mkdir()
            make_show(root, arguments.episodes)
            for _ in range(arguments.runs):
                shutil.rmtree(root / ".podcast-feed-cache", ignore_errors=True)
                built = Path(folder) / "built"
                shutil.rmtree(built, ignore_errors=True)
                figures["build (floor)"].append(timed(lambda: build(root, built)))  # noqa: B023
                bucket = new_bucket(endpoint)
                figures["raw upload (floor)"].append(
                    timed(lambda: raw_upload(root, built, bucket))  # noqa: B023
                )
                bucket = new_bucket(endpoint)
                destination = f"s3://{bucket}/show"
                figures["first publish"].append(timed(lambda: publish(root, destination)))  # noqa: B023
                figures["no-change publish"].append(timed(lambda: publish(root, destination)))  # noqa: B023
                changed = root / "episodes" / "00001.md"
                changed.write_text(changed.read_text() + f"\nCorrection {uuid.uuid4()}.\n")
                figures["one-change publish"].append(timed(lambda: publish(root, destination)))  # noqa: B023
    finally:
        server.terminate()
        server.wait()

    medians = {name: statistics.median(values) for name, values in figures.items()}
    print(f"{arguments.episodes} episodes, median of {arguments.runs} runs, {os.cpu_count()} cores")
    print(f"{'scenario':<22}{'seconds':>9}{'x build':>9}{'x raw upload':>14}")
    for name, seconds in medians.items():
        print(
            f"{name:<22}{seconds:>9.2f}{seconds / medians['build (floor)']:>9.2f}"
            f"{seconds / medians['raw upload (floor)']:>14.2f}"
        )


if __name__ == "__main__":
    main()
