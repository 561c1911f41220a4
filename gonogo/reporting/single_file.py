"""Allure's report in one file, built from the folder report, so that both carry the same test ids.

The generator's ``--single-file`` run assigns new random ids, so a link copied from the folder report
(``#testresult/<uid>``) gave "404 Not found" in the single file. This writes what ``--single-file``
writes (checked against allure-commandline 2.46: the folder's ``index.html`` with its script and icon
as data URIs, and every data file registered through ``d(name, base64)``), from the folder itself.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from gonogo.errors import GonogoError
from gonogo.reporting.files import write_atomic

#: the folders of a generated report that hold data the app loads by name
DATA_FOLDERS = ("data", "widgets", "history", "export", "plugin")
_MIME = {
    ".js": "text/javascript; charset=utf-8",
    ".ico": "image/x-icon",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}
_ASSET = re.compile(r'(src|href)="((?:assets|plugin)/[^"]+)"')
_LOADER = """    <script async>
        window.reportDataReady = false;
        window.reportData = window.reportData || {};
        function d(name, value){
            return new Promise(function (resolve) {window.reportData[name] = value;resolve(true)});
        }
    </script>
"""


class SingleFileError(GonogoError):
    """The folder is not a generated Allure 2 report (no index.html)."""


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix, "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def bundle(report_dir: Path, target: Path) -> int:
    """Write ``target``: the folder report in one HTML file. Returns how many data files it embeds."""
    index = report_dir / "index.html"
    if not index.is_file():
        raise SingleFileError(f"{report_dir} is not a generated Allure report (no index.html)")
    page = index.read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        asset = report_dir / match.group(2)
        return f'{match.group(1)}="{_data_uri(asset)}"' if asset.is_file() else match.group(0)

    page = _ASSET.sub(inline, page)
    files = sorted(
        path
        for folder in DATA_FOLDERS
        if (report_dir / folder).is_dir()
        for path in (report_dir / folder).rglob("*")
        if path.is_file()
    )
    entries = ",\n".join(
        f"        d('{path.relative_to(report_dir).as_posix()}',"
        f"'{base64.b64encode(path.read_bytes()).decode('ascii')}')"
        for path in files
    )
    data = (
        _LOADER
        + "    <script defer>\n      Promise.allSettled([\n"
        + entries
        + "\n      ]).then(function(){window.reportDataReady = true;})\n    </script>\n"
    )
    if "</body>" not in page:
        raise SingleFileError(f"{index} has no </body>: not a generated Allure report")
    head, _, tail = page.rpartition("</body>")
    write_atomic(target, head + data + "</body>" + tail)
    return len(files)
