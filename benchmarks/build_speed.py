"""Cold-build time per episode for synthetic shows of 100, 1,000 and 10,000 episodes.

Each episode has ~3 KB of Markdown show notes (lists, links, headings) and its own MP3 file made
of real MPEG frames (hard links to the sample show's 31 s MP3, made with lame). Prints the
median of several runs, per stage, in microseconds per episode. The website's cost is the
whole build with the site minus the whole build without it (`site: false`), into an empty
output folder each time; the ratio to the feed-only build is printed beside it.

    python benchmarks/build_speed.py            # 100, 1000, 10000
    python benchmarks/build_speed.py 100 1000 --runs 5
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import NOTES

from podcast_feed.assets import media_references
from podcast_feed.build import build, in_feed_order, publishable
from podcast_feed.checks import check, check_episode
from podcast_feed.config import load_show
from podcast_feed.episodes import episode_files, load_episodes
from podcast_feed.feed import render_feed
from podcast_feed.media import with_media
from podcast_feed.site import render_site
from podcast_feed.transcripts import with_transcripts

REPO = Path(__file__).resolve().parent.parent
AUDIO = REPO / "media" / "what-is-product-ops.mp3"


def make_show(root: Path, count: int) -> None:
    shutil.copytree(REPO / "media", root / "media", ignore=shutil.ignore_patterns("*.m4a"))
    shutil.copy(REPO / "podcast.yaml", root / "podcast.yaml")
    (root / "episodes").mkdir()
    for number in range(1, count + 1):
        audio = root / "media" / f"episode-{number:05d}.mp3"
        try:
            os.link(AUDIO, audio)
        except OSError:
            shutil.copy(AUDIO, audio)
        (root / "episodes" / f"{number:05d}.md").write_text(
            f"---\ntitle: Conversation number {number}\n"
            f"date: 2020-01-01 09:00\naudio: {audio.name}\nguid: bench-{number}\n"
            f"episode: {number}\n---\n\n{NOTES.format(n=number)}",
            encoding="utf-8",
        )


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = step()
    return time.perf_counter() - start, value


def stages(root: Path, output: Path, first_with_site: bool = True) -> dict[str, float]:
    """One cold build, stage by stage (the same stages `build` runs), in seconds."""
    seconds: dict[str, float] = {}
    seconds["load show"], (show, _) = timed(lambda: load_show(root / "podcast.yaml"))
    seconds["load episodes"], (episodes, _) = timed(
        lambda: load_episodes(episode_files(root / "episodes"), root, show)
    )
    seconds["probe media"], (episodes, _) = timed(lambda: with_media(episodes, root / "media"))
    seconds["transcripts"], (episodes, _) = timed(
        lambda: with_transcripts(episodes, root / "media")
    )
    seconds["check"], _ = timed(
        lambda: [
            *(p for e in episodes for p in check_episode(show, e, root)),
            *check(show, episodes, root, media_references(show, episodes)),
        ]
    )
    now = episodes[0].published.replace(year=2030)
    ordered = in_feed_order(show, publishable(episodes, now))
    seconds["render feed"], _ = timed(lambda: render_feed(show, ordered))
    seconds["render site"], _ = timed(lambda: render_site(root, show, ordered))
    settings = root / "podcast.yaml"
    original = settings.read_text(encoding="utf-8")
    # the two whole builds in alternating order, so that neither always runs on a warmer cache
    variants = [("whole build", original), ("build, no site", original + "\nsite: false\n")]
    for name, text in variants if first_with_site else reversed(variants):
        settings.write_text(text, encoding="utf-8")
        shutil.rmtree(output, ignore_errors=True)
        gc.collect()
        seconds[name], _ = timed(lambda: build(root, output, now=now))
    settings.write_text(original, encoding="utf-8")
    seconds["site (diff)"] = seconds["whole build"] - seconds["build, no site"]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median is shown)")
    arguments = parser.parse_args()
    print(f"{'episodes':>8}  {'stage':<14} {'median µs/episode':>18}  {'median total s':>14}")
    for count in arguments.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "show"
            root.mkdir()
            make_show(root, count)
            runs = [
                stages(root, Path(folder) / "out", first_with_site=run % 2 == 0)
                for run in range(arguments.runs)
            ]
            for stage in runs[0]:
                median = statistics.median(run[stage] for run in runs)
                print(f"{count:>8}  {stage:<14} {median / count * 1e6:>18.0f}  {median:>14.3f}")
            ratio = statistics.median(r["site (diff)"] / r["build, no site"] for r in runs)
            print(f"{count:>8}  site / feed-only build: {ratio:.2f}")


if __name__ == "__main__":
    main()
