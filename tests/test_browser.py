"""The sample show's website in a real browser: headless Chromium (Debian's chromium and
chromium-driver, driven by Selenium) against `podcast-feed serve` on 127.0.0.1.

The browser decodes the real MP3, seeks it through the server's byte ranges, runs the page's
script and axe-core's accessibility rules. Screenshots of the index and an episode page are
saved to test-artifacts/ (or $PODCAST_FEED_ARTIFACTS).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from podcast_feed.media import probe
from podcast_feed.serve import PreviewServer
from podcast_feed.transcripts import InvalidTranscript, parse_captions

from .conftest import REPO, MakeProject, episode
from .test_golden import project_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("PODCAST_FEED_ARTIFACTS", REPO / "test-artifacts"))

if not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (.ci/run installs them)",
        allow_module_level=True,
    )

from axe_core_python.selenium import Axe  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    assert CHROMIUM and CHROMEDRIVER, "install chromium and chromium-driver"
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1000,1400",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[PreviewServer]:
    root = project_for("sample-show", tmp_path / "show")
    server = PreviewServer(root, "127.0.0.1", 0, report=lambda _: None)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(driver: webdriver.Chrome, script: str, timeout: float = 20) -> Any:
    """Poll a JavaScript expression until it is truthy; return its value."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(f"return {script};")
    )


def serious_violations(driver: webdriver.Chrome) -> list[str]:
    results = Axe().run(driver)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))


def test_listen_seek_and_read_along(browser: webdriver.Chrome, sample: PreviewServer) -> None:
    browser.get(f"{sample.url}/")
    feeds = browser.find_elements(
        By.CSS_SELECTOR, "link[rel=alternate][type='application/rss+xml']"
    )
    assert [link.get_attribute("href") for link in feeds] == [sample.feed_url]
    assert serious_violations(browser) == []
    screenshot(browser, "site-index.png")

    # the first episode in the list is the newest
    browser.find_element(By.CSS_SELECTOR, "ol.episodes h3 a").click()
    wait_for(browser, "location.pathname.includes('/episodes/')")
    assert browser.find_element(By.TAG_NAME, "h1").text == "What is Product Ops?"
    assert browser.current_url == f"{sample.url}/episodes/001-what-is-product-ops/index.html"

    # the browser decodes the real MP3: its duration is the probed one
    browser.execute_script(
        "document.querySelector('audio').preload = 'metadata';"
        "document.querySelector('audio').load();"
    )
    duration = wait_for(
        browser,
        "isFinite(document.querySelector('audio').duration) && "
        "document.querySelector('audio').duration",
    )
    probed = probe(sample.media / "what-is-product-ops.mp3").duration
    assert abs(duration - probed) < 0.5, (duration, probed)

    # the second chapter seeks the player there (over the server's byte ranges) and plays
    second = browser.find_elements(By.CSS_SELECTOR, "ol.chapters a.time")[1]
    assert second.text == "00:11"
    second.click()
    position = wait_for(
        browser,
        "document.querySelector('audio').currentTime >= 11 && "
        "document.querySelector('audio').currentTime",
    )
    assert 11 <= position < 16
    assert browser.execute_script("return location.hash") == "#t=00:11"
    wait_for(browser, "!document.querySelector('audio').paused")
    browser.execute_script("document.querySelector('audio').pause()")

    # the transcript opens, names its speakers, and its cues seek too
    transcript = browser.find_element(By.CSS_SELECTOR, "details.transcript")
    assert not transcript.find_element(By.TAG_NAME, "ol").is_displayed()
    transcript.find_element(By.TAG_NAME, "summary").click()
    speakers = [s.text for s in transcript.find_elements(By.TAG_NAME, "strong")]
    assert "Petra Wille" in speakers
    assert transcript.find_element(By.XPATH, ".//strong[text()='Petra Wille']").is_displayed()
    cues = transcript.find_elements(By.CSS_SELECTOR, "a.time")
    cues[2].click()
    wait_for(browser, "Math.abs(document.querySelector('audio').currentTime - 20.7) < 3")
    browser.execute_script("document.querySelector('audio').pause()")
    assert serious_violations(browser) == []
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "site-episode.png")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_in_either_colour_scheme(
    browser: webdriver.Chrome, sample: PreviewServer, scheme: str
) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    try:
        for path in ("/", "/episodes/001-what-is-product-ops/", "/404-for-sure"):
            browser.get(f"{sample.url}{path}")
            browser.execute_script(
                "document.querySelectorAll('details').forEach(function (d) { d.open = true; })"
            )
            assert serious_violations(browser) == [], (scheme, path)
        background = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor"
        )
        assert background == ("rgb(20, 20, 20)" if scheme == "dark" else "rgb(253, 253, 252)")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_a_video_episode_shows_its_picture_and_its_chapters_seek_it(
    browser: webdriver.Chrome, make_project: MakeProject
) -> None:
    chapters = [{"start": 0, "title": "Opening"}, {"start": 2, "title": "Closing"}]
    root = make_project({"episodes/001-episode.md": episode(audio="video.mp4", chapters=chapters)})
    server = PreviewServer(root, "127.0.0.1", 0, report=lambda _: None)
    server.start()
    try:
        browser.get(f"{server.url}/episodes/001-episode/")
        browser.execute_script(
            "document.querySelector('video').preload = 'metadata';"
            "document.querySelector('video').load();"
        )
        # the browser decodes the real H.264 picture, 64x48 in the fixture
        size = wait_for(
            browser,
            "document.querySelector('video').videoWidth && "
            "[document.querySelector('video').videoWidth, "
            "document.querySelector('video').videoHeight]",
        )
        assert size == [64, 48]
        browser.find_elements(By.CSS_SELECTOR, "ol.chapters a.time")[1].click()
        wait_for(browser, "document.querySelector('video').currentTime >= 2")
        browser.execute_script("document.querySelector('video').pause()")
        assert serious_violations(browser) == []
    finally:
        server.stop()


def test_a_time_in_the_show_notes_seeks_the_player(
    browser: webdriver.Chrome, make_project: MakeProject
) -> None:
    root = make_project({"episodes/001-episode.md": episode("- 00:00 Opening\n- 00:02 Later")})
    server = PreviewServer(root, "127.0.0.1", 0, report=lambda _: None)
    server.start()
    try:
        browser.get(f"{server.url}/episodes/001-episode/")
        later = browser.find_elements(By.CSS_SELECTOR, "section.notes a.time")[1]
        assert later.text == "00:02"
        later.click()
        wait_for(browser, "document.querySelector('audio').currentTime >= 2")
        assert browser.execute_script("return location.hash") == "#t=00:02"
        browser.execute_script("document.querySelector('audio').pause()")
    finally:
        server.stop()


def test_a_time_link_seeks_when_the_page_opens(
    browser: webdriver.Chrome, sample: PreviewServer
) -> None:
    browser.get(f"{sample.url}/episodes/001-what-is-product-ops/#t=00:20")
    wait_for(browser, "document.querySelector('audio').currentTime === 20")


def test_the_feed_url_copies_with_one_click(
    browser: webdriver.Chrome, sample: PreviewServer
) -> None:
    browser.get(f"{sample.url}/")
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": sample.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    button = browser.find_element(By.CSS_SELECTOR, "button[data-copy]")
    assert button.is_displayed()
    button.click()
    wait_for(browser, "document.querySelector('button[data-copy]').textContent === 'Copied'")
    copied = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[arguments.length - 1])"
    )
    assert copied == sample.feed_url


_SECOND_CUE = "\n\n00:00:04.000 --> 00:00:05.000\nTwo\n"
_TRANSCRIPTS = {
    "in full": "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nOne\n\n00:04.000 --> 00:05.000\nTwo\n",
    "with a byte-order mark": "\ufeffWEBVTT\n\n00:00:01.000 --> 00:00:03.000\nOne\n",
    "times not in full": "WEBVTT\n\n0:0:01.000 --> 0:0:03.000\nOne" + _SECOND_CUE,
    "SRT's commas": "WEBVTT\n\n00:00:01,000 --> 00:00:03,000\nOne" + _SECOND_CUE,
    "a second past 59": "WEBVTT\n\n00:00:01.000 --> 00:00:99.000\nOne" + _SECOND_CUE,
    "an SRT file": "1\n00:00:01,000 --> 00:00:03,000\nOne\n",
    "a mistyped arrow": "WEBVTT\n\n00:01.000 --> 00:03.000\nOne\n\n00:04.000 -> 00:05.000\nTwo\n",
    "a blank line in a cue": "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nOne\n\nand more\n",
    "a note": "WEBVTT\n\nNOTE made by hand\n\n00:00:01.000 --> 00:00:03.000\nOne\n",
}


@pytest.mark.parametrize("form", _TRANSCRIPTS)
def test_a_vtt_transcript_is_accepted_only_if_the_browser_shows_all_its_text(
    browser: webdriver.Chrome, sample: PreviewServer, tmp_path: Path, form: str
) -> None:
    """Browsers (and the apps built on them) drop a cue they cannot read, and a block that is
    not a cue, without a word: podcast-feed refuses exactly the files that lose some of their
    text, so what it accepts is what they show."""
    text = _TRANSCRIPTS[form]
    path = tmp_path / "transcript.vtt"
    path.write_text(text, encoding="utf-8")
    try:
        accepted: list[str] | None = [caption.text for caption in parse_captions(path)]
    except InvalidTranscript:
        accepted = None
    browser.get(f"{sample.url}/")
    read = browser.execute_async_script(
        """
        const [text, done] = arguments;
        const video = document.createElement('video');
        const track = document.createElement('track');
        track.src = URL.createObjectURL(new Blob([text], {type: 'text/vtt'}));
        track.addEventListener('load', () => done(Array.from(track.track.cues, c => c.text)));
        track.addEventListener('error', () => done(null));
        video.append(track);
        document.body.append(video);
        track.track.mode = 'hidden';
        """,
        text,
    )
    lines = text.splitlines()[1:]  # after WEBVTT: times, text, notes
    words = {w for line in lines if not ("->" in line or "NOTE" in line) for w in line.split()}
    shown = {w for cue in read or [] for w in cue.split()}
    if accepted is None:
        assert shown < words  # the browser loses some of the file's words
    else:
        assert read == accepted and shown == words
