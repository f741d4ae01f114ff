"""Closed lists the feed's values must come from: Apple's categories, ISO 639-1 languages.

Sources: SPEC.md section 2.6 (Apple's 2019 taxonomy, 19 categories, 110 names in all) and the
ISO 639-1 table shipped by Debian's iso-codes package.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

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
