"""A show of N episodes made of real encoder output, for the speed benchmarks.

Five base recordings are encoded once from a 12-second noise-and-tone source with real encoders,
then each episode gets a hard link to one of them (so that 10,000 episodes take 60 MB, not
600): two in three MP3s without a Xing/VBRI header (`lame -t`, VBR and CBR), one in four with
ID3 chapters (written by ffmpeg from a metadata file), one in ten an AAC .m4a with chapters
(ffmpeg). Each episode has ~3 KB of Markdown notes (lists, links, headings) and a VTT
transcript beside every fifth audio file.

    python benchmarks/corpus.py 1000 /tmp/show-1000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTES = """In this episode we unpack one of the most ambiguous roles in product organizations.
What is it, really? Is it strategy alignment? BI and analytics? Coaching? Stakeholder
management? All of the above, or none? Drawing from real-world examples, we dig into the
evolving definition, where it overlaps with other functions, and when it adds value.

## Key Topics Covered

- What the role is not, and why it is often misunderstood
- Different models across organizations, from start-ups to enterprises
- Product ops vs. product leadership: where's the line?
- When to hire for it (and when not to), with [a checklist](https://example.com/checklist)
- The enabling team model from [Team Topologies](https://teamtopologies.com)
- How it can support skill building, analytics, and communication standards

## Key Takeaways

- It isn't a checklist hire: it's a strategic move to fill **specific** gaps
- The best people blend a product mindset with another core strength (analytics, L&D)
- Not all gaps should be filled this way; sometimes it's about enabling HR or data
- A great career path for senior PMs who want to shape the organization

## Resources & Links

- Follow Teresa Torres: [ProductTalk.org](https://ProductTalk.org)
- Follow Petra Wille: [Petra-Wille.com](https://Petra-Wille.com)
- *Strong Product People* by Petra Wille, chapters 6 to 11 on coaching and feedback
- Episode transcript and more at https://example.com/episodes/{n}
"""
CHAPTERS = """;FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=4000
title=Opening
[CHAPTER]
TIMEBASE=1/1000
START=4000
END=8000
title=The middle
[CHAPTER]
TIMEBASE=1/1000
START=8000
END=12000
title=Closing
"""
TRANSCRIPT = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\n<v Host>Welcome to the show.\n\n" + (
    "00:00:05.000 --> 00:00:10.000\n<v Guest>Thanks for having me.\n"
)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def base_recordings(folder: Path) -> dict[str, Path]:
    """The five encodings every episode links to, made once per folder."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "source.wav"
    if not source.exists():
        _run(
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330:duration=12"),
            *("-f", "lavfi", "-i", "anoisesrc=duration=12:amplitude=0.3:seed=7"),
            *("-filter_complex", "amix=inputs=2", "-ac", "1", "-ar", "44100", str(source)),
        )
    metadata = folder / "chapters.txt"
    metadata.write_text(CHAPTERS)
    made = {
        "vbr-no-xing.mp3": ("lame", "--quiet", "-t", "-V", "7"),
        "cbr-no-xing.mp3": ("lame", "--quiet", "-t", "-b", "32"),
        "vbr-xing.mp3": ("lame", "--quiet", "-V", "7"),
    }
    recordings = {}
    for name, encoder in made.items():
        path = folder / name
        if not path.exists():
            _run(*encoder, str(source), str(path))
        recordings[name] = path
    chaptered = folder / "vbr-no-xing-chapters.mp3"
    if not chaptered.exists():  # ffmpeg writes the chapters as ID3 CHAP frames
        _run(
            *("ffmpeg", "-v", "error", "-y", "-i", str(recordings["vbr-no-xing.mp3"])),
            *("-i", str(metadata), "-map", "0", "-map_chapters", "1", "-c", "copy"),
            str(chaptered),
        )
    recordings["vbr-no-xing-chapters.mp3"] = chaptered
    m4a = folder / "aac-chapters.m4a"
    if not m4a.exists():
        _run(
            *("ffmpeg", "-v", "error", "-y", "-i", str(source), "-i", str(metadata)),
            *("-map", "0", "-map_chapters", "1", "-c:a", "aac", "-b:a", "32k", str(m4a)),
        )
    recordings["aac-chapters.m4a"] = m4a
    return recordings


def recording_for(number: int) -> str:
    """Which base recording episode `number` uses: the mix the issue describes."""
    if number % 10 == 5:
        return "aac-chapters.m4a"
    if number % 4 == 0:
        return "vbr-no-xing-chapters.mp3"
    return ("vbr-xing.mp3", "vbr-no-xing.mp3", "cbr-no-xing.mp3")[number % 3]


def make_show(root: Path, count: int, recordings: dict[str, Path]) -> None:
    """`count` episodes in `root`, with the sample show's podcast.yaml and cover."""
    (root / "episodes").mkdir(parents=True)
    (root / "media").mkdir()
    shutil.copy(REPO / "podcast.yaml", root / "podcast.yaml")
    for artwork in (REPO / "media").glob("*.jpg"):
        shutil.copy(artwork, root / "media" / artwork.name)
    for number in range(1, count + 1):
        base = recordings[recording_for(number)]
        audio = root / "media" / f"episode-{number:05d}{base.suffix}"
        os.link(base, audio)
        if number % 5 == 0:
            (audio.with_suffix(".vtt")).write_text(TRANSCRIPT)
        (root / "episodes" / f"{number:05d}.md").write_text(
            f"---\ntitle: Conversation number {number}\n"
            f"date: 2020-01-01 09:00\naudio: {audio.name}\nguid: bench-{number}\n"
            f"episode: {number}\n---\n\n{NOTES.format(n=number)}",
            encoding="utf-8",
        )
    # dated in the past, as a checkout of last week's show would be
    past = (root / "podcast.yaml").stat().st_mtime - 3600
    for path in [root / "podcast.yaml", *root.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("episodes", type=int)
    parser.add_argument("folder", type=Path)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        make_show(arguments.folder, arguments.episodes, base_recordings(Path(scratch)))
    print(f"{arguments.episodes} episodes in {arguments.folder}")


if __name__ == "__main__":
    main()
