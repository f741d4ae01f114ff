#!/usr/bin/env bash
# Recreates tests/fixtures: audio made with real encoders (Debian: espeak-ng sox lame ffmpeg),
# each file's true length taken from the uncompressed source (durations.json), and a plain
# 1400x1400 JPEG cover made with Pillow.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/audio
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Speech then 4 s of silence: a VBR encoder spends very different bitrates on the two halves,
# so a duration estimated from the first frames is far off.
espeak-ng -v en-us -s 170 -w "$work/speech.wav" "Podcast feed test fixture. One, two, three."
sox "$work/speech.wav" -r 44100 -c 1 "$work/speech44.wav"
sox "$work/speech44.wav" "$work/speech-silence.wav" pad 0 4
sox -n -r 44100 -c 1 "$work/tone.wav" synth 3 sine 440 vol 0.5

lame --quiet -b 32 "$work/tone.wav" "$out/cbr.mp3"
lame --quiet -V 9 "$work/speech-silence.wav" "$out/vbr.mp3"
lame --quiet -V 9 -t "$work/speech-silence.wav" "$out/vbr-no-xing.mp3"
ffmpeg -loglevel error -y -i "$work/tone.wav" -c:a aac -b:a 32k -map_metadata -1 \
  -movflags +faststart -fflags +bitexact -flags:a +bitexact "$out/tone.m4a"
# The same with its index (moov) after the audio, as ffmpeg writes it by default: moov-at-end.
ffmpeg -loglevel error -y -i "$out/tone.m4a" -c copy -fflags +bitexact "$out/late-index.m4a"
# Stereo AAC: two tones, one per channel (the MP4 sample entry says 2 for mono AAC as well).
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=440:duration=1" \
  -f lavfi -i "sine=frequency=660:duration=1" \
  -filter_complex "[0:a][1:a]join=inputs=2:channel_layout=stereo[a]" -map "[a]" \
  -c:a aac -b:a 48k -map_metadata -1 -movflags +faststart -fflags +bitexact -flags:a +bitexact \
  "$out/stereo.m4a"
# A video episode: H.264 (the first track) and the mono tone as AAC (the second), as a camera or
# an editor writes them.
ffmpeg -loglevel error -y -f lavfi -i "testsrc=duration=3:size=64x48:rate=5" -i "$work/tone.wav" \
  -map 0:v -map 1:a -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -c:a aac -b:a 32k \
  -map_metadata -1 -movflags +faststart -fflags +bitexact -flags:a +bitexact "$out/video.mp4"
# The same streams in QuickTime's container, whose AAC configuration mutagen cannot read.
ffmpeg -loglevel error -y -i "$out/video.mp4" -c copy -movflags +faststart -fflags +bitexact \
  "$out/video.mov"
ffmpeg -loglevel error -y -i "$work/tone.wav" -c:a libvorbis -q:a 0 -map_metadata -1 \
  -fflags +bitexact -flags:a +bitexact "$out/tone.ogg"
printf 'this is not audio\n%.0s' {1..200} > "$out/not-audio.mp3"

# For the direct frame reader (tests/test_mp3.py): a tone mixed with noise, so that VBR varies,
# encoded without a Xing header at MPEG-2 (22.05 kHz) and MPEG-2.5 (8 kHz) rates, CBR at
# MPEG-2, and as a free-format stream (no bitrate in its headers; ffmpeg cannot read it).
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=440:duration=3" \
  -f lavfi -i "anoisesrc=duration=3:amplitude=0.4" -filter_complex amix=inputs=2 -ac 1 \
  "$work/noisy.wav"
lame --quiet -t -V 6 --resample 22.05 "$work/noisy.wav" "$out/mpeg2-vbr-no-xing.mp3"
lame --quiet -t -V 7 --resample 8 "$work/noisy.wav" "$out/mpeg25-vbr-no-xing.mp3"
lame --quiet -t -b 32 "$work/noisy.wav" "$out/mpeg2-cbr-no-xing.mp3"
lame --quiet -t --freeformat -b 40 --resample 22.05 "$work/noisy.wav" "$out/free-format.mp3"

# Chapters embedded by ffmpeg: ID3 CHAP frames in the MP3, a Nero chpl atom in the M4A.
cat > "$work/chapters.txt" <<'META'
;FFMETADATA1
[CHAPTER]
TIMEBASE=1/1000
START=0
END=1000
title=Opening
[CHAPTER]
TIMEBASE=1/1000
START=1000
END=2000
title=The middle
[CHAPTER]
TIMEBASE=1/1000
START=2000
END=3000
title=Closing
META
ffmpeg -loglevel error -y -i "$work/tone.wav" -i "$work/chapters.txt" -map 0 -map_metadata 1 \
  -map_chapters 1 -c:a libmp3lame -b:a 32k -id3v2_version 3 -fflags +bitexact \
  "$out/chapters.mp3"
ffmpeg -loglevel error -y -i "$work/tone.wav" -i "$work/chapters.txt" -map 0 -map_metadata 1 \
  -map_chapters 1 -c:a aac -b:a 32k -movflags +faststart -fflags +bitexact -flags:a +bitexact \
  "$out/chapters.m4a"

python3 - "$work" "$out" <<'PY'
import json, subprocess, sys
work, out = sys.argv[1:]
seconds = lambda wav: float(subprocess.check_output(["soxi", "-D", f"{work}/{wav}"]))
truth = {"cbr.mp3": seconds("tone.wav"), "chapters.mp3": seconds("tone.wav"),
         "chapters.m4a": seconds("tone.wav"), "vbr.mp3": seconds("speech-silence.wav"),
         "vbr-no-xing.mp3": seconds("speech-silence.wav"), "tone.m4a": seconds("tone.wav"),
         "video.mp4": seconds("tone.wav")}
with open(f"{out}/durations.json", "w") as stream:
    json.dump(truth, stream, indent=2, sort_keys=True)
    stream.write("\n")
PY
python3 -c "from PIL import Image; Image.new('RGB', (1400, 1400), (200, 40, 40)).save(
    'tests/fixtures/cover.jpg', 'JPEG', quality=60)"
ls -l "$out" tests/fixtures/cover.jpg
