"""The results folder: which files are Allure's (and cleared), and the trend's history carried over."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from gonogo.reporting import history
from gonogo.reporting.allure_files import clean_folder


def test_cleaning_removes_only_what_allure_wrote(tmp_path: Path) -> None:
    keep = [tmp_path / "notes.txt", tmp_path / "my-result.json", tmp_path / "history.md"]
    drop = [
        tmp_path / f"{uuid.uuid4()}-result.json",
        tmp_path / f"{uuid.uuid4()}-container.json",
        tmp_path / f"{uuid.uuid4()}-attachment.txt",
        tmp_path / f"{uuid.uuid4()}-attachment",
        tmp_path / f"{uuid.uuid4()}-result.json.tmp",
        tmp_path / "environment.properties",
        tmp_path / "executor.json",
        tmp_path / "categories.json",
    ]
    for path in keep + drop:
        path.write_text("x", encoding="utf-8")
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "history-trend.json").write_text("[]", encoding="utf-8")

    removed = clean_folder(tmp_path)

    assert removed == len(drop)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep)


def test_history_is_seeded_from_the_store_and_kept_after_generating(tmp_path: Path) -> None:
    store, results, report = tmp_path / "history", tmp_path / "results", tmp_path / "report"
    results.mkdir()
    assert history.seed_history(store, results) is False
    (report / "history").mkdir(parents=True)
    (report / "history" / "history-trend.json").write_text('[{"buildOrder": 3}]', encoding="utf-8")

    assert history.keep_history(report, store) is True
    assert history.seed_history(store, results) is True

    assert json.loads((results / "history" / "history-trend.json").read_text(encoding="utf-8")) == [
        {"buildOrder": 3}
    ]
    assert history.previous_build_order(store) == 3
