#!/usr/bin/env bash
# Recreates the sample show's media/ with real encoders (Debian: espeak-ng lame ffmpeg) and
# Pillow. The committed files were made with this script; rerun it only to change them.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

intro="In this episode of All Things Product, Teresa Torres and Petra Wille unpack one of the \
most ambiguous roles in product organizations: Product Operations. What is product ops, really? \
Is it strategy alignment? B I and analytics? Coaching? Stakeholder management? All of the above, \
or none? If you have ever wondered whether your organization needs a product ops team, or what \
to do with the one you have, this one is for you."
trailer="All Things Product, with Teresa Torres and Petra Wille. Conversations about building \
great products and great product teams. Subscribe now."

# Episode 1: speech -> MP3, 64 kbit/s mono CBR; lame writes a Xing/Info header, so the
# duration mutagen reads is exact.
espeak-ng -v en-us -s 150 -w "$work/episode.wav" "$intro"
lame --quiet -m m -b 64 --resample 44.1 --tt "What is Product Ops?" --ta "All Things Product" \
  "$work/episode.wav" media/what-is-product-ops.mp3

# Trailer: speech -> AAC in an M4A container, 48 kbit/s mono.
espeak-ng -v en-us -s 150 -w "$work/trailer.wav" "$trailer"
ffmpeg -loglevel error -y -i "$work/trailer.wav" -ac 1 -ar 44100 -c:a aac -b:a 48k \
  -map_metadata -1 -movflags +faststart -fflags +bitexact -flags:a +bitexact media/trailer.m4a

python3 - <<'PY'
from PIL import Image, ImageDraw, ImageFont

side = 1400
cover = Image.new("RGB", (side, side), (24, 46, 77))
draw = ImageDraw.Draw(cover)
for ring in range(6):
    inset = 120 + ring * 70
    draw.ellipse((inset, inset, side - inset, side - inset), outline=(247, 183, 51), width=14)
font = ImageFont.load_default(size=120)
draw.text((side // 2, side // 2 - 80), "All Things", fill="white", font=font, anchor="mm")
draw.text((side // 2, side // 2 + 80), "Product", fill="white", font=font, anchor="mm")
cover.save("media/cover.jpg", "JPEG", quality=85, optimize=True)
PY
ls -l media
