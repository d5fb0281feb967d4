"""The extensions' second source: a tarball missing from the vendor folder comes from the
MediaWiki extension distributor, and is kept only with a recorded SHA-256.

A server on 127.0.0.1 plays mediawiki.org's API and the distributor's downloads; nothing here
reaches the network.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import tarfile
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scripts.devwiki import distribution, extdist
from scripts.devwiki.config import EXTENSIONS
from scripts.devwiki.util import DevWikiError

TRANSLATE = "Translate-REL1_43.tar.gz"
ULS = "UniversalLanguageSelector-REL1_43.tar.gz"


def tarball(name: str) -> bytes:
    """A small real snapshot: NAME/extension.json, gzipped, as the distributor packs one."""
    data = json.dumps({"name": name}).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(f"{name}/extension.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


SNAPSHOTS = {
    f"/dist/extensions/{name}-REL1_43-0123456.tar.gz": tarball(name) for name in EXTENSIONS
}


def sum_of(name: str) -> str:
    return hashlib.sha256(SNAPSHOTS[f"/dist/extensions/{name}-REL1_43-0123456.tar.gz"]).hexdigest()


class Distributor:
    """What the fake mediawiki.org serves, and the requests it got."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.base = ""
        self.branches = ["master", "REL1_42", "REL1_43"]
        self.files = dict(SNAPSHOTS)

    def answer(self, query: dict[str, list[str]]) -> dict[str, Any]:
        names = query["edbexts"][0].split("|")
        extensions = {
            name: {
                **{
                    branch: f"{self.base}/dist/extensions/{name}-{branch}-0123456.tar.gz"
                    for branch in self.branches
                },
                "source": f"https://gerrit.wikimedia.org/r/mediawiki/extensions/{name}.git",
            }
            for name in names
        }
        return {"batchcomplete": True, "query": {"extdistbranches": {"extensions": extensions}}}

    def api_queries(self) -> list[dict[str, list[str]]]:
        return [
            urllib.parse.parse_qs(urllib.parse.urlsplit(r).query)
            for r in self.requests
            if r.startswith("/w/api.php")
        ]

    def downloads(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/dist/")]


@pytest.fixture
def server() -> Iterator[Distributor]:
    fake = Distributor()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/w/api.php":
                body = json.dumps(fake.answer(urllib.parse.parse_qs(url.query))).encode()
            elif url.path in fake.files:
                body = fake.files[url.path]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def sums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sums file, recording both fake snapshots (a test may rewrite it)."""
    path = tmp_path / "extensions.sha256"
    lines = [f"{sum_of('Translate')}  {TRANSLATE}", f"{sum_of('UniversalLanguageSelector')}  {ULS}"]
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(extdist, "SUMS_FILE", path)
    return path


@pytest.fixture
def vendor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: Distributor, sums: Path
) -> Path:
    """An empty vendor folder, with the API pointed at the fake server."""
    monkeypatch.setenv("DEV_WIKI_VENDOR", str(tmp_path / "vendor"))
    monkeypatch.setenv(extdist.API_VARIABLE, f"{server.base}/w/api.php")
    for variable in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(variable, "127.0.0.1")
    folder = tmp_path / "vendor" / "mediawiki-extensions"
    folder.mkdir(parents=True)
    return folder


def one_line(error: pytest.ExceptionInfo[DevWikiError]) -> str:
    message = str(error.value)
    assert message and "\n" not in message, message
    return message


def test_vendored_tarballs_are_used_without_asking(vendor: Path, server: Distributor) -> None:
    (vendor / TRANSLATE).write_bytes(b"vendored Translate")
    (vendor / ULS).write_bytes(b"vendored ULS")
    tarballs = distribution.extension_tarballs()
    assert tarballs == {"Translate": vendor / TRANSLATE, "UniversalLanguageSelector": vendor / ULS}
    assert server.requests == []
    assert (vendor / TRANSLATE).read_bytes() == b"vendored Translate"


def test_a_missing_tarball_is_downloaded_checked_and_saved(
    vendor: Path, server: Distributor
) -> None:
    (vendor / ULS).write_bytes(b"vendored ULS")
    tarballs = distribution.extension_tarballs()
    assert tarballs["Translate"] == vendor / TRANSLATE
    assert (vendor / TRANSLATE).read_bytes() == SNAPSHOTS[
        "/dist/extensions/Translate-REL1_43-0123456.tar.gz"
    ]
    assert (vendor / ULS).read_bytes() == b"vendored ULS"  # a vendored one stays as it is
    [query] = server.api_queries()
    assert query == {
        "action": ["query"],
        "list": ["extdistbranches"],
        "edbexts": ["Translate"],
        "format": ["json"],
        "formatversion": ["2"],
    }
    assert server.downloads() == ["/dist/extensions/Translate-REL1_43-0123456.tar.gz"]
    assert sorted(p.name for p in vendor.iterdir()) == [TRANSLATE, ULS]  # no temporary left
    with tarfile.open(vendor / TRANSLATE) as archive:  # what install_extension unpacks
        assert archive.getnames() == ["Translate/extension.json"]


def test_both_missing_are_asked_for_in_one_request(vendor: Path, server: Distributor) -> None:
    distribution.extension_tarballs()
    [query] = server.api_queries()
    assert query["edbexts"] == ["UniversalLanguageSelector|Translate"]
    assert sorted(p.name for p in vendor.iterdir()) == [TRANSLATE, ULS]


def test_an_unrecorded_sum_is_refused_and_nothing_saved(
    vendor: Path, server: Distributor, sums: Path
) -> None:
    (vendor / ULS).write_bytes(b"vendored ULS")
    sums.write_text(f"{'0' * 64}  {TRANSLATE}\n")
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    message = one_line(error)
    got = sum_of("Translate")
    assert TRANSLATE in message
    assert got in message
    assert f"'{got}  {TRANSLATE}'" in message  # the line that accepts it
    assert str(sums) in message
    assert sorted(p.name for p in vendor.iterdir()) == [ULS]


def test_a_sum_recorded_for_the_other_file_is_refused(vendor: Path, sums: Path) -> None:
    (vendor / ULS).write_bytes(b"vendored ULS")
    sums.write_text(f"{sum_of('Translate')}  {ULS}\n")
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    assert TRANSLATE in one_line(error)
    assert not (vendor / TRANSLATE).exists()


def test_a_refusal_does_not_stop_the_next_download(vendor: Path, sums: Path) -> None:
    sums.write_text(f"{sum_of('Translate')}  {TRANSLATE}\n")  # ULS, asked first, is refused
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    assert ULS in one_line(error)
    assert sorted(p.name for p in vendor.iterdir()) == [TRANSLATE]


def test_each_refused_file_gets_its_own_line(vendor: Path, sums: Path) -> None:
    sums.write_text("")
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    lines = str(error.value).splitlines()
    assert len(lines) == 2
    assert ULS in lines[0] and sum_of("UniversalLanguageSelector") in lines[0]
    assert TRANSLATE in lines[1] and sum_of("Translate") in lines[1]
    assert list(vendor.iterdir()) == []


def test_an_accepted_line_in_sha256sum_binary_form_is_read(vendor: Path, sums: Path) -> None:
    sums.write_text(
        f"# accepted after checking\n{sum_of('Translate')} *{TRANSLATE}\n\n"
        f"{sum_of('UniversalLanguageSelector')}  {ULS}\n"
    )
    distribution.extension_tarballs()
    assert sorted(p.name for p in vendor.iterdir()) == [TRANSLATE, ULS]


def test_an_answer_without_the_branch_is_one_clear_line(vendor: Path, server: Distributor) -> None:
    (vendor / ULS).write_bytes(b"vendored ULS")
    server.branches = ["master", "REL1_42"]
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    message = one_line(error)
    assert "no REL1_43 snapshot of Translate" in message
    assert "(it has: REL1_42, master)" in message
    assert server.downloads() == []
    assert sorted(p.name for p in vendor.iterdir()) == [ULS]


def test_an_answer_of_another_shape_is_one_line(
    vendor: Path, server: Distributor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "answer", lambda query: {"batchcomplete": True})
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    assert "did not answer list=extdistbranches as expected" in one_line(error)


def test_a_server_that_is_down_is_one_line(
    vendor: Path, server: Distributor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(extdist.API_VARIABLE, f"http://127.0.0.1:{port}/w/api.php")
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    message = one_line(error)
    assert message.startswith(f"cannot reach http://127.0.0.1:{port}/w/api.php?action=query&")
    assert "urlopen" not in message  # the reason, not urllib's wrapping of it
    assert list(vendor.iterdir()) == []


def test_a_failed_download_is_one_line_and_leaves_nothing(
    vendor: Path, server: Distributor
) -> None:
    (vendor / ULS).write_bytes(b"vendored ULS")
    del server.files["/dist/extensions/Translate-REL1_43-0123456.tar.gz"]
    with pytest.raises(DevWikiError) as error:
        distribution.extension_tarballs()
    assert "HTTP 404" in one_line(error)
    assert sorted(p.name for p in vendor.iterdir()) == [ULS]


def test_the_shipped_sums_are_the_readmes() -> None:
    """extensions.sha256 holds the sums the README lists, for the vendored copies."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    shipped = extdist.recorded_sums(extdist.SUMS_FILE)
    assert set(shipped) == {TRANSLATE, ULS}
    for name, digests in shipped.items():
        for digest in digests:
            assert f"{digest}  {name}" in readme
