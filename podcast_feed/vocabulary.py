"""Closed lists the feed's values must come from: Apple's categories, ISO 639-1 languages; and
the names other publishers give our keys, with what to write instead.

Sources: SPEC.md section 2.6 (Apple's 2019 taxonomy, 19 categories, 110 names in all) and the
ISO 639-1 table shipped by Debian's iso-codes package.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# Pre-2019 names Apple no longer accepts, and what replaced them.
LEGACY_CATEGORIES: dict[str, str] = {
    "Games & Hobbies": "Leisure",
    "Science & Medicine": "Science",
    "Sports & Recreation": "Sports",
    "Health": "Health & Fitness",
    "Tech News": "News",
    "Software How-To": "Technology",
    "Gadgets": "Technology",
    "Podcasting": "Technology",
    "Tech": "Technology",
}

ISO_639_1: frozenset[str] = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
    """.split()  # noqa: SIM905 - a table reads better as words
)


LANGUAGE_NAMES: dict[str, str] = {
    name: code
    for code, names in {
        "ar": "arabic العربية",
        "bn": "bengali বাংলা",
        "ca": "catalan català",
        "cs": "czech čeština",
        "da": "danish dansk",
        "de": "german deutsch",
        "el": "greek ελληνικά",
        "en": "english",
        "es": "spanish español castellano",
        "fa": "persian farsi فارسی",
        "fi": "finnish suomi",
        "fr": "french français",
        "he": "hebrew עברית",
        "hi": "hindi हिन्दी",
        "hu": "hungarian magyar",
        "id": "indonesian bahasa_indonesia",
        "it": "italian italiano",
        "ja": "japanese 日本語",
        "ko": "korean 한국어",
        "nl": "dutch nederlands flemish vlaams",
        "no": "norwegian norsk",
        "pl": "polish polski",
        "pt": "portuguese português",
        "ro": "romanian română",
        "ru": "russian русский",
        "sk": "slovak slovenčina",
        "sv": "swedish svenska",
        "sw": "swahili kiswahili",
        "th": "thai ไทย",
        "tr": "turkish türkçe",
        "uk": "ukrainian українська",
        "vi": "vietnamese tiếng_việt",
        "zh": "chinese mandarin 中文",
    }.items()
    for name in names.split()
}
"""The most spoken languages' codes by their names in English and in the language itself
(lowercase, `_` for a space), for `language: English` and `language: Deutsch`."""

ISO_3166_1: frozenset[str] = frozenset(
    """
    ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq
    br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm
    do dz ec ee eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs
    gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn
    kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq
    mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm
    pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv
    sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug um us uy uz va vc ve vg vi
    vn vu wf ws ye yt za zm zw
    """.split()  # noqa: SIM905 - a table reads better as words
)
"""Country codes (lower case) for `podcast:location country`."""

# Podcasting 2.0 person taxonomy (podcast-namespace taxonomy.json @0c0669f): group -> roles,
# compared case-insensitively. "translater" is the spelling the taxonomy uses.
PERSON_ROLES: dict[str, tuple[str, ...]] = {
    "creative direction": (
        "director",
        "assistant director",
        "executive producer",
        "senior producer",
        "producer",
        "associate producer",
        "development producer",
        "creative director",
    ),
    "cast": (
        "host",
        "co-host",
        "guest host",
        "guest",
        "voice actor",
        "narrator",
        "announcer",
        "reporter",
    ),
    "writing": (
        "author",
        "editorial director",
        "co-writer",
        "writer",
        "songwriter",
        "guest writer",
        "story editor",
        "managing editor",
        "script editor",
        "script coordinator",
        "researcher",
        "editor",
        "fact checker",
        "translater",
        "translator",
        "transcriber",
        "logger",
    ),
    "audio production": (
        "studio coordinator",
        "technical director",
        "technical manager",
        "audio engineer",
        "remote recording engineer",
        "post production engineer",
    ),
    "audio post-production": (
        "audio editor",
        "sound designer",
        "foley artist",
        "composer",
        "theme music",
        "music production",
        "music contributor",
    ),
    "administration": (
        "production coordinator",
        "booking coordinator",
        "production assistant",
        "content manager",
        "marketing manager",
        "sales representative",
        "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}

# Well-known licences (podcast-namespace license/licenses.json); others need a url.
KNOWN_LICENSES: frozenset[str] = frozenset(
    {"arr", "cc-by-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "v4v-1.0"}
)


def suggest(wrong: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, compared without regard to case.

    >>> suggest("Buisness", ["Business", "Arts"])
    'Business'
    >>> suggest("xyz", ["Business"]) is None
    True
    """
    by_folded = {candidate.casefold(): candidate for candidate in candidates}
    if wrong.casefold() in by_folded:
        return by_folded[wrong.casefold()]
    close = difflib.get_close_matches(wrong.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[close[0]] if close else None


def did_you_mean(wrong: str, candidates: Iterable[str]) -> str:
    """A fix sentence naming the closest candidate, if any is close."""
    closest = suggest(wrong, candidates)
    return f"did you mean '{closest}'?" if closest else ""


def _elsewhere(*groups: tuple[str, str]) -> dict[str, str]:
    """(names separated by spaces, the fix for each) as a mapping by name."""
    return {name: fix for names, fix in groups for name in names.split()}


EPISODE_KEYS_ELSEWHERE: Mapping[str, str] = _elsewhere(
    (
        "duration length size file_size filesize bytes enclosure_length enclosure_type "
        "mime_type mimetype content_type bitrate",
        "remove the line: the duration, size and type are read from the audio file itself",
    ),
    (
        "tags keywords category categories topics",
        "remove the line: Apple no longer reads keywords, and categories are the show's, "
        "'categories' in podcast.yaml",
    ),
    (
        "description content excerpt subtitle body notes show_notes shownotes",
        "the show notes below the front matter are the episode's description: move the text "
        "there, or into 'summary' for a short plain-text one",
    ),
    (
        "author authors host hosts guest guests speaker speakers creator cast",
        "name the episode's hosts and guests under 'persons', each with a 'name' and a "
        "'role' such as guest; the show's author is 'author' in podcast.yaml",
    ),
    (
        "pubdate pub_date published published_at publish_date publication_date date_published "
        "release_date released air_date created created_at time datetime",
        "write it as 'date: 2025-06-03 09:00': an episode dated later waits for its date",
    ),
    (
        "publish status visible hidden unpublished private scheduled",
        "remove the line: an episode is published from its 'date' on, and 'draft: true' "
        "holds it back",
    ),
    (
        "enclosure enclosure_url file audio_file audio_url audio_path mp3 m4a media media_file "
        "media_url recording sound",
        "write it as 'audio: NAME', the file's name in media/",
    ),
    (
        "url link_url permalink web_url page page_url website",
        "write it as 'link: URL' for a page about the episode elsewhere; the website's own "
        "page for it is named after the episode file",
    ),
    (
        "cover artwork art thumbnail picture episode_image cover_image image_url poster logo",
        "write it as 'image: NAME', a file in media/ or an https URL",
    ),
    (
        "episode_number number ep episode_no episode_num nr",
        "write it as 'episode: 12', the number alone",
    ),
    ("season_number season_no season_num", "write it as 'season: 2', the number alone"),
    ("episode_type kind", "write it as 'type: full', or trailer, or bonus"),
    ("explicit_content adult nsfw parental_advisory", "write it as 'explicit: true', or false"),
    ("transcript transcript_url captions subtitles", "did you mean 'transcripts'?"),
    ("chapter chapters_url psc timestamps chapter_marks", "did you mean 'chapters'?"),
    ("id uuid", "write it as 'guid: ...', and never change it once the episode is out"),
    (
        "layout slug weight aliases menu toc comments sitemap",
        "remove the line: podcast-feed reads no such site-generator key; an episode's page is "
        "named after its file, and the website's look is its templates'",
    ),
)
"""Keys the episode files of other publishers (RSS and iTunes tags, Jekyll, Hugo, WordPress
exports) have, as `plain_key` writes them, and what to write in ours instead."""

SHOW_KEYS_ELSEWHERE: Mapping[str, str] = _elsewhere(
    ("name show_name podcast_name show_title", "did you mean 'title'?"),
    ("subtitle summary about tagline", "did you mean 'description'?"),
    (
        "email owner_email owner_name contact contact_email",
        "the owner is two lines under 'owner': 'name' and 'email'",
    ),
    (
        "cover artwork art logo image_url cover_image thumbnail poster",
        "write it as 'image: NAME', a file in media/ or an https URL",
    ),
    (
        "url website homepage home_page web",
        "write it as 'link: URL', the show's website; 'site_url' is for podcast-feed's own "
        "website, if it is served elsewhere",
    ),
    ("rss rss_url feed self self_url atom_link feed_link", "did you mean 'feed_url'?"),
    ("category genre genres", "did you mean 'categories'? A list of Apple's categories"),
    (
        "tags keywords",
        "remove the line: Apple no longer reads keywords, and 'categories' place the show",
    ),
    ("lang locale", "write it as 'language: en', or en-us"),
    ("tz time_zone zone", "write it as 'timezone: Europe/Berlin'"),
    (
        "base_url media_url audio_base_url enclosure_base_url media_base cdn_url audio_url",
        "did you mean 'media_base_url'? The address media/ is published at",
    ),
    (
        "authors host hosts creator creators artist publisher",
        "write it as one line, 'author: Ada Lovelace & Charles Babbage', and name each host "
        "under 'persons'",
    ),
    ("show_type kind", "write it as 'type: episodic', or serial"),
    ("guid id uuid", "did you mean 'podcast_guid'?"),
    ("new_url redirect redirect_url moved_to", "did you mean 'new_feed_url'?"),
    ("explicit_content adult nsfw parental_advisory", "write it as 'explicit: true', or false"),
    ("rights", "did you mean 'copyright'?"),
    (
        "destination bucket upload",
        "put it under 'publish', as 'destination: s3://bucket/show'",
    ),
    (
        "episodes items",
        "remove it: each episode is a file in episodes/, and 'podcast-feed new AUDIO' writes one",
    ),
)
"""The same for podcast.yaml: channel tags and other publishers' settings."""

_NAMESPACES = ("itunes_", "podcast_", "googleplay_", "og_")


def plain_key(key: str) -> str:
    """A key as another tool writes it, in snake case: `itunes:episodeType` is `episode_type`
    (without the namespace: see `other_name_fix`), `Pub-Date` is `pub_date`.

    >>> plain_key("episodeType"), plain_key("Pub-Date"), plain_key("itunes:image")
    ('episode_type', 'pub_date', 'itunes_image')
    """
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).casefold()
    return re.sub(r"[^a-z0-9]+", "_", snake).strip("_")


def other_name_fix(key: str, known: Iterable[str], elsewhere: Mapping[str, str]) -> str:
    """The fix for an unknown `key` that is one of `known` as another tool spells it, or a key
    `elsewhere` has; "" for any other (a typo, left to `did_you_mean`). Before difflib's
    closest spelling: for `published` that is `republish`, which does something else.

    >>> other_name_fix("itunes:episodeType", ["type"], {"episode_type": "did you mean 'type'?"})
    "did you mean 'type'?"
    >>> other_name_fix("Title", ["title"], {})
    "did you mean 'title'?"
    """
    fields = set(known)
    plain = plain_key(key)
    bare = next((plain[len(ns) :] for ns in _NAMESPACES if plain.startswith(ns)), plain)
    for name in dict.fromkeys((plain, bare)):
        if name in fields and name != key:
            return f"did you mean '{name}'?"
    for name in (plain, bare):
        if name in elsewhere:
            return elsewhere[name]
    return ""


_MISTYPED_SCHEMES = {"htp", "htt", "htps", "htts", "hhtp", "hhtps", "ttp", "ttps", "http", "https"}
_BARE_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)


def meant_address(written: str) -> str | None:
    """The https address meant by one written with a mistyped scheme (`htps://`, `https:/`)
    or none (`example.com/ep1`, `//cdn.example.com/a.mp3`); None if it is not such a one.

    >>> meant_address("htps://example.com/a"), meant_address("www.example.com/show")
    ('https://example.com/a', 'https://www.example.com/show')
    >>> meant_address("//cdn.example.com/a.mp3"), meant_address("cover.jpg"), meant_address("a b")
    ('https://cdn.example.com/a.mp3', None, None)
    """
    scheme, colon, rest = written.strip().partition(":")
    if colon and scheme.lower() in _MISTYPED_SCHEMES:
        bare = rest.lstrip("/")
    else:
        bare = written.strip().removeprefix("//")
    if _BARE_HOST.fullmatch(bare) and not _FILE_LIKE.fullmatch(bare):
        return f"https://{bare}"
    return None


_FILE_LIKE = re.compile(
    r"[^/]+\.(?:mp3|m4a|mp4|m4v|mov|jpe?g|png|gif|webp|vtt|srt|json|html?|txt|md|ya?ml)",
    re.IGNORECASE,
)
"""A file's name, not a host's (`cover.jpg`, `intro.mp3`): a local name, not an address."""
