"""The people's outputs of the sample batches: ``report.html`` (rendered in a real headless
Chromium), ``payroll.xlsx`` and the ``excel-be`` CSVs, checked against the run's audit tables."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import html
import itertools
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from pipeline.outputs import csv_dialects, report, workbook
from pipeline.outputs.audit import write_run
from pipeline.outputs.run_store import RunStore

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
RUN_DATE = dt.date(2026, 11, 2)


# --------------------------------------------------------------------------------------------
# The one place that runs the monthly job (update here when its entry point changes)
# --------------------------------------------------------------------------------------------
def run_month(batch: Path, period: str, run_date: dt.date, store: RunStore | None = None, out: Path | None = None):
    """Run the monthly job on ``batch``; with ``store`` and ``out``, also publish it. Returns
    (tables for the renderers, manifest): the audit tables plus the batch's employees and employers."""
    from pipeline.jobs import monthly

    result = monthly.run_batch(batch, period, run_date, store=store)
    if store is not None and out is not None:
        monthly.publish(result, out, store=store)
    tables = dict(result.tables)
    tables["employees"] = result.store_tables["employees"]
    tables["employers"] = result.store_tables["employers"]
    return tables, result.manifest


@pytest.fixture(scope="module")
def sample():
    return run_month(SAMPLE / "batch_2026_10", "2026-10", RUN_DATE)


@pytest.fixture(scope="module")
def bad():
    return run_month(SAMPLE / "bad_input", "2026-10", RUN_DATE)


@pytest.fixture(scope="module")
def sample_files(sample, tmp_path_factory):
    """The sample run's audit files (CSV and Parquet), written by the audit writer."""
    tables, manifest = sample
    out = tmp_path_factory.mktemp("run") / "2026-10"
    audit = {k: v for k, v in tables.items() if k not in ("employees", "employers")}
    return write_run(out, audit, manifest)


# --------------------------------------------------------------------------------------------
# Reading a page back
# --------------------------------------------------------------------------------------------
class _Cells(HTMLParser):
    """Every element's data-* attributes, and the page's fetching attributes."""

    def __init__(self):
        super().__init__()
        self.data: list[dict[str, str]] = []
        self.links: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        found = {k[5:]: v for k, v in attrs if k.startswith("data-")}
        if found:
            self.data.append(found)
        self.links += [(tag, k, v or "") for k, v in attrs if k in ("src", "href", "xlink:href", "srcset", "action")]


def parse(page: bytes) -> _Cells:
    cells = _Cells()
    cells.feed(page.decode("utf-8"))
    return cells


def figures(page: bytes) -> dict[tuple[str, str], Decimal]:
    """(employer, figure) -> value of every figure cell; a figure shown twice shows the same value."""
    out: dict[tuple[str, str], Decimal] = {}
    for d in parse(page).data:
        if "employer" in d and "figure" in d:
            value = Decimal(d["value"])
            assert out.setdefault((d["employer"], d["figure"]), value) == value, d
    return out


def expected_figures(tables) -> dict[tuple[str, str], Decimal]:
    """The same figures summed here, row by row in Python Decimal, from payroll_lines."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in tables["payroll_lines"].iter_rows(named=True):
        for employer in (row["employer_id"], "all"):
            sums[employer, "headcount"] += 1  # employee_id is unique in a month's lines
            for column in ("gross_salary", "onss_base", "worker_contribution", "employer_contribution"):
                sums[employer, column] += row[column] or 0
            for column in ("work_bonus", "csss"):
                sums[employer, column] += row[column]
            # due to ONSS: the personal contribution after the work bonus, the employer's and the CSSS withheld
            sums[employer, "due_to_onss"] += row["worker_contribution"] + row["employer_contribution"] + row["csss"]
    return dict(sums)


# --------------------------------------------------------------------------------------------
# report.html
# --------------------------------------------------------------------------------------------
def test_report_totals_equal_payroll_lines(sample):
    tables, manifest = sample
    page = report.render_report(tables, manifest, "en")
    shown = figures(page)
    expected = expected_figures(tables)
    assert {k: shown[k] for k in expected} == expected
    # Four employers and the total row; the sample's 67 lines.
    assert shown["all", "headcount"] == 67 and len({e for e, _ in shown}) == 5


def test_report_contributions_by_code_add_up(sample):
    tables, manifest = sample
    parsed = parse(report.render_report(tables, manifest, "fr"))
    per_employer: dict[str, Decimal] = defaultdict(Decimal)
    for d in parsed.data:
        if "code" in d and "contribution" in d and d["contribution"] != "holiday_annual_accrual":
            per_employer[d["employer"]] += Decimal(d["value"])
    lines = tables["payroll_lines"].group_by("employer_id").agg(pl.col("employer_contribution").sum())
    assert per_employer == dict(lines.iter_rows())


def test_report_fetches_nothing(sample, bad):
    for tables, manifest in (sample, bad):
        page = report.render_report(tables, manifest, "nl")
        parsed = parse(page)
        assert not {"script", "link", "img", "iframe", "object", "embed"} & parsed.tags
        assert all(value.startswith("#") for _, _, value in parsed.links), parsed.links
        text = page.decode()
        assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", text)
        assert "@import" not in text and not re.search(r"url\(\s*[\"']?\s*(https?:)?//", text)
        assert "default-src 'none'" in html.unescape(text)


def test_report_is_byte_identical(bad, tmp_path):
    tables, manifest = bad
    first = report.render_report(tables, manifest, "fr")
    assert report.render_report(tables, manifest, "fr") == first
    # Another interpreter with another hash seed gives the same bytes.
    pickled = tmp_path / "inputs.pickle"
    pickled.write_bytes(pickle.dumps((tables, manifest)))
    script = (
        "import pickle, sys; from pipeline.outputs import report; "
        f"t, m = pickle.load(open({str(pickled)!r}, 'rb')); "
        "sys.stdout.buffer.write(report.render_report(t, m, 'fr'))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(ROOT))
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True, timeout=300)
    assert again.stdout == first


def test_report_rejects_grouped_in_plain_language(bad):
    tables, manifest = bad
    page = report.render_report(tables, manifest, "fr")
    text = html.unescape(page.decode())
    rejects = tables["rejects"]
    counts = dict(rejects.group_by("check").len().iter_rows())
    shown = {d["check"]: int(d["value"]) for d in parse(page).data if "check" in d and "value" in d}
    assert shown == counts
    assert sum(counts.values()) == rejects.height == 34
    # The French plain message heads each group; the check code stays as it is.
    assert "Numéro de registre national (NISS) ou numéro BIS non valide" in text
    assert "<code>format_niss</code>" in text
    # File, line and the (masked) value of the row employees.csv:4.
    row = re.search(r"<td>employees\.csv</td><td class=\"num\" data-line=\"4\">4</td><td>niss</td>.*?</tr>", text)
    assert row and "*********88" in row.group(0)
    assert not re.search(r"\b\d{11}\b", text)  # no national number in clear anywhere


def test_report_parameters_not_verified(sample):
    tables, manifest = sample
    parsed = parse(report.render_report(tables, manifest, "en"))
    listed = sorted(d["parameter"] for d in parsed.data if "parameter" in d)
    assert listed == sorted(manifest["parameters_not_verified"]) and listed


def test_report_warnings_from_the_manifest(sample):
    tables, manifest = sample
    warnings = ["no employers file: category 000 and workforce 0 assumed", {"message": "3 rows out of period"}]
    text = html.unescape(report.render_report(tables, manifest | {"warnings": warnings}, "en").decode())
    assert "no employers file: category 000 and workforce 0 assumed" in text and "3 rows out of period" in text
    assert "No warnings." in html.unescape(report.render_report(tables, manifest | {"warnings": []}, "en").decode())


# --------------------------------------------------------------------------------------------
# DmfA and claims folders
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    from pipeline.core.params import default_parameters
    from pipeline.jobs import quarterly

    root = tmp_path_factory.mktemp("q3")
    store = RunStore(root / "store")
    for month in ("07", "08", "09"):
        folder = SAMPLE / "quarter_2026_q3" / f"2026-{month}"
        run_month(folder, f"2026-{month}", dt.date(2026, 10, 2), store=store, out=root / month)
    result = quarterly.compute_quarter(
        quarterly.read_quarter(store, "2026-Q3"), default_parameters(), dt.date(2026, 10, 5)
    )
    return result.tables, result.manifest


def test_dmfa_report(quarter):
    tables, manifest = quarter
    page = report.render_dmfa_report(tables, manifest, "nl")
    parsed = parse(page)
    per_employer: dict[str, Decimal] = defaultdict(Decimal)
    for d in parsed.data:
        if "code" in d and "type" in d:
            per_employer[d["employer"]] += Decimal(d["value"])
    assert per_employer == {e: Decimal(v["contributions"]) for e, v in manifest["employers"].items()}
    declared = {
        e: Decimal(d["value"]) for d in parsed.data if d.get("figure") == "net_owed_amount" for e in [d["employer"]]
    }
    assert declared == {e: Decimal(v["net_owed_amount"]) for e, v in manifest["employers"].items()}
    assert "Driemaandelijkse DmfA-export — 2026-Q3" in html.unescape(page.decode())


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    from pipeline.jobs.claims import export_claims

    root = tmp_path_factory.mktemp("claims")
    store = RunStore(root / "store")
    run_month(SAMPLE / "batch_2026_10", "2026-10", RUN_DATE, store=store, out=root / "2026-10")
    export_claims(store, "2026-H2", root / "claims", RUN_DATE)
    table = pl.read_parquet(root / "claims" / "onem_claims.parquet")
    return {"onem_claims": table}, json.loads((root / "claims" / "manifest.json").read_text(encoding="utf-8"))


def test_claims_report(claims):
    tables, manifest = claims
    page = report.render_claims_report(tables, manifest, "fr")
    text = html.unescape(page.decode())
    assert "juillet 2026" in text and "décembre 2026" in text  # m1..m6 by name
    per_country = {d["country"]: Decimal(d["value"]) for d in parse(page).data if "country" in d}
    expected = tables["onem_claims"].group_by("country").agg(pl.col("total").sum())
    assert per_country == dict(expected.iter_rows()) and per_country
    assert "Mois du semestre absents de l'archive des calculs : juillet 2026" in text


# --------------------------------------------------------------------------------------------
# A real headless Chromium
# --------------------------------------------------------------------------------------------
def chromium_binary() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """A headless Chromium driven through the DevTools protocol (one websocket, flat sessions)."""

    def __init__(self, binary: str):
        from websockets.sync.client import connect

        self.profile = tempfile.mkdtemp(prefix="chromium-")
        args = [binary, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run"]
        args += ["--no-default-browser-check", "--disable-extensions", "--disable-background-networking"]
        args += [f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        for line in self.proc.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            self.proc.kill()
            raise RuntimeError(f"chromium did not start (exit {self.proc.wait()})")
        self.ws = connect(url, max_size=None, open_timeout=60)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 120):
        message = {"id": next(self.ids), "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=timeout))
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, path: Path, width: int = 1280, height: int = 2000) -> tuple[str, list[dict]]:
        """Load ``path`` in a new tab; return (session, the tab's events up to the load event)."""
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.call("Emulation.setDeviceMetricsOverride", metrics, session=session)
        self.call("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        deadline = time.monotonic() + 120
        loaded = lambda: any(  # noqa: E731
            e.get("method") == "Page.loadEventFired" and e.get("sessionId") == session for e in self.events
        )
        while not loaded():
            self.events.append(json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1))))
        return session, [e for e in self.events if e.get("sessionId") == session]

    def evaluate(self, session: str, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        return result["result"]["value"]

    def screenshot(self, session: str) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"])

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the browser may close the socket before it answers
            self.call("Browser.close", timeout=20)
        self.ws.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no chromium binary (apt-get install chromium): the headless-browser checks need one")
    chromium = Chromium(binary)
    yield chromium
    chromium.close()


def problems(events: list[dict]) -> list[str]:
    """Console messages, uncaught exceptions, error or warning log entries, and every request that
    is not for the page itself (a file: or data: URL)."""
    found = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled":
            found.append(f"console.{params.get('type')}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            found.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:")):
                found.append(f"request: {url}")
        elif method == "Network.loadingFailed":
            found.append(f"loading failed: {params.get('errorText')}")
    return found


DOM_FIGURES = (
    "JSON.stringify(Array.from(document.querySelectorAll('[data-employer][data-figure]'))"
    ".map(e => [e.dataset.employer, e.dataset.figure, e.dataset.value]))"
)
DOM_CHARTS = (
    "JSON.stringify(Array.from(document.querySelectorAll('figure svg'))"
    ".map(s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height, s.querySelectorAll('path').length]))"
)


def test_report_renders_in_chromium(sample, browser, tmp_path):
    tables, manifest = sample
    page = tmp_path / "report.html"
    page.write_bytes(report.render_report(tables, manifest, "en"))
    session, events = browser.open(page)
    assert problems(events) == []
    assert browser.evaluate(session, "document.title") == "Payroll run report — October 2026"
    # The totals the browser shows are the payroll_lines sums.
    shown = {(e, f): Decimal(v) for e, f, v in json.loads(browser.evaluate(session, DOM_FIGURES))}
    expected = expected_figures(tables)
    assert {k: shown[k] for k in expected} == expected
    # Three charts laid out with a size and drawn (paths inside each).
    charts = json.loads(browser.evaluate(session, DOM_CHARTS))
    assert len(charts) == 3 and all(w > 300 and h > 100 and paths > 10 for w, h, paths in charts), charts
    png = browser.screenshot(session)
    shot = tmp_path / "report.png"
    shot.write_bytes(png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and shot.stat().st_size > 20_000
    if os.environ.get("REPORT_SCREENSHOT"):  # docs/img/report.png: REPORT_SCREENSHOT=docs/img/report.png pytest ...
        Path(os.environ["REPORT_SCREENSHOT"]).write_bytes(png)


def test_other_pages_render_in_chromium(bad, quarter, claims, browser, tmp_path):
    pages = {
        "rejects.html": report.render_report(*bad, "fr"),
        "dmfa.html": report.render_dmfa_report(*quarter, "nl"),
        "claims.html": report.render_claims_report(*claims, "en"),
    }
    for name, content in pages.items():
        path = tmp_path / name
        path.write_bytes(content)
        session, events = browser.open(path, height=1200)
        assert problems(events) == [], name
        assert browser.evaluate(session, "document.body.scrollHeight") > 600, name
        assert len(browser.screenshot(session)) > 10_000, name


# --------------------------------------------------------------------------------------------
# payroll.xlsx
# --------------------------------------------------------------------------------------------
def _csv_sum(path: Path, column: str, by: str | None = None):
    frame = pl.read_csv(path, infer_schema=False)
    values = frame.with_columns(pl.col(column).cast(pl.Decimal(18, 2)))
    if by is None:
        return values.get_column(column).sum()
    return dict(values.group_by(by).agg(pl.col(column).sum()).iter_rows())


def _sheet(path: Path, name: str) -> pl.DataFrame:
    return fastexcel.read_excel(path).load_sheet_by_name(name).to_polars()


def _cents(values) -> Decimal:
    """Sum of spreadsheet numbers (doubles holding cent amounts), each read back to the cent."""
    return sum((Decimal(repr(v)).quantize(Decimal("0.01")) for v in values if v is not None), Decimal("0.00"))


def test_workbook_totals_equal_the_csvs(sample, sample_files, tmp_path):
    tables, manifest = sample
    path = workbook.write_workbook(tables, manifest, tmp_path / "payroll.xlsx", "en")
    journal = _sheet(path, "Payroll journal")
    assert journal.height == tables["payroll_lines"].height == 67
    amounts = ("gross_salary", "onss_base", "worker_contribution", "work_bonus", "employer_contribution", "csss")
    for column in (*amounts, "onem_allowance"):
        label = {
            "onss_base": "ONSS base",
            "gross_salary": "Gross salary",
            "onem_allowance": "ONEM compensation allowance",
            "work_bonus": "Work bonus",
            "csss": "CSSS",
        }
        label |= {"worker_contribution": "Personal contributions", "employer_contribution": "Employer contributions"}
        assert journal.schema[label[column]] == pl.Float64
        assert _cents(journal.get_column(label[column])) == _csv_sum(sample_files / "payroll_lines.csv", column)
    # Names beside the identifiers; codes and identifiers as text.
    assert journal.get_column("Last name").null_count() == 0
    assert journal.schema["Worker code"] == pl.String and set(journal.get_column("Worker code").drop_nulls()) == {
        "015",
        "495",
    }
    assert journal.schema["Employer (ONSS no.)"] == pl.String
    contributions = _sheet(path, "Contributions")
    assert contributions.schema["DmfA code"] == pl.String and "015" in contributions.get_column("DmfA code").to_list()
    assert _cents(contributions.get_column("Amount")) == _csv_sum(sample_files / "contribution_lines.csv", "amount")
    summary = _sheet(path, "Summary")
    due = dict(zip(summary.get_column("Employer (ONSS no.)"), summary.get_column("Total due to ONSS for the month")))
    lines = pl.read_csv(sample_files / "payroll_lines.csv", infer_schema=False)
    for employer, total in due.items():
        rows = lines if employer == "All employers" else lines.filter(pl.col("employer_id") == employer)
        expected = sum(  # the personal contribution after the work bonus, the employer's, the CSSS withheld
            Decimal(w) + Decimal(e) + Decimal(c)
            for w, e, c in rows.select("worker_contribution", "employer_contribution", "csss").iter_rows()
        )
        assert Decimal(repr(total)).quantize(Decimal("0.01")) == expected
    sheets = {"Summary", "Payroll journal", "Contributions", "Rejected rows", "Parameters"}
    assert set(fastexcel.read_excel(path).sheet_names) == sheets


def test_workbook_layout_and_determinism(bad, tmp_path):
    tables, manifest = bad
    data = workbook.workbook_bytes(tables, manifest, "nl")
    assert workbook.workbook_bytes(tables, manifest, "nl") == data
    path = tmp_path / "payroll.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        sheets = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        assert len(sheets) == 5
        for name in sheets:
            xml = z.read(name).decode()
            assert 'state="frozen"' in xml and "<autoFilter ref=" in xml, name
        assert 'formatCode="#,##0.00"' in z.read("xl/styles.xml").decode()
        assert "<dcterms:created" in (core := z.read("docProps/core.xml").decode()) and "2026-11-02T00:00:00Z" in core
    rejects = _sheet(path, "Geweigerde rijen")
    assert rejects.height == 34 and rejects.schema["Regel"] == pl.Float64
    assert "*********88" in rejects.get_column("Waarde").to_list()
    assert "Geen geldig rijksregisternummer (INSZ) of BIS-nummer" in " ".join(rejects.get_column("Bericht").to_list())


# --------------------------------------------------------------------------------------------
# excel-be CSVs of the sample run
# --------------------------------------------------------------------------------------------
def test_excel_be_tables_read_back(sample, sample_files):
    """Every table of the sample run in ``excel-be``, read back with ``;`` and the decimal comma,
    against the machine CSV: numbers equal, text equal (digit-led text as ``="..."``)."""
    import csv
    import io

    tables, _ = sample
    for name in ("payroll_lines", "contribution_lines", "guaranteed_wage_days", "onem_allowance", "parameters"):
        frame = tables[name]
        data = csv_dialects.csv_bytes(frame, "excel-be")
        assert data.startswith(b"\xef\xbb\xbf")
        belgian = list(csv.reader(io.StringIO(data[3:].decode(), newline=""), delimiter=";"))
        machine = list(csv.reader(io.StringIO((sample_files / f"{name}.csv").read_text(encoding="utf-8"), newline="")))
        assert belgian[0] == machine[0] and len(belgian) == len(machine) == frame.height + 1, name
        numeric = {i for i, dtype in enumerate(frame.schema.values()) if dtype.is_numeric()}
        text = {i for i, dtype in enumerate(frame.schema.values()) if dtype in (pl.String, pl.Enum, pl.Categorical)}
        for be_row, row in zip(belgian[1:], machine[1:]):
            for i, (be, m) in enumerate(zip(be_row, row)):
                if i in numeric and m:
                    assert Decimal(be.replace(",", ".")) == Decimal(m) and "." not in be, (name, be, m)
                elif i in text and re.match(r"[0-9.,]", m):  # dates stay dates, booleans true/false
                    assert be == f'="{m}"', (name, be, m)
                else:
                    assert be == m, (name, be, m)
    lines = tables["payroll_lines"]
    data = csv_dialects.csv_bytes(lines, "excel-be").decode("utf-8-sig")
    # The worker code and the ONSS number stay text: the cell ="015", quoted as a CSV field.
    assert ';"=""015""";' in data and ';"=""174389412""";' in data


# --------------------------------------------------------------------------------------------
# Written by the runs: the monthly job, the CLI, the DmfA and claims folders
# --------------------------------------------------------------------------------------------
def _published(tmp_path: Path, name: str, batch: str = "batch_2026_10", **options) -> Path:
    from pipeline.jobs import monthly

    out = tmp_path / name
    monthly.run_month(SAMPLE / batch, "2026-10", RUN_DATE, out, store=RunStore(tmp_path / f"store-{name}"), **options)
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The sample batch run twice by the monthly job into two folders (same inputs and run date)."""
    root = tmp_path_factory.mktemp("published")
    return _published(root, "a"), _published(root, "b")


def test_a_run_writes_the_report_and_the_workbook(published):
    out, again = published
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["name"]: o for o in manifest["outputs"]}
    for name in ("report.html", "payroll.xlsx"):
        data = (out / name).read_bytes()
        assert listed[name]["sha256"] == __import__("hashlib").sha256(data).hexdigest()
        assert listed[name]["bytes"] == len(data)
        assert (again / name).read_bytes() == data, name  # byte-identical for the same inputs and run date
    assert manifest["language"] == "en"
    assert manifest["csv"] == {"mode": "auto", "dialect": "machine", "parquet_only": []}
    # The report's figures are the sums of payroll_lines.parquet, row by row in Python Decimal.
    lines = pl.read_parquet(out / "payroll_lines.parquet")
    shown = figures((out / "report.html").read_bytes())
    expected = expected_figures({"payroll_lines": lines})
    assert {k: shown[k] for k in expected} == expected and shown["all", "headcount"] == 67
    # The employers' names come from the employers input: 4 sections headed by a name.
    text = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert text.count('<section id="employer-') == 4 and "Ateliers Mosans SA — ONSS 174389412" in text
    # The workbook read back: its totals equal the CSVs'.
    journal = _sheet(out / "payroll.xlsx", "Payroll journal")
    assert journal.height == 67 and journal.get_column("Last name").null_count() == 0
    for label, column in (("Gross salary", "gross_salary"), ("Employer contributions", "employer_contribution")):
        assert _cents(journal.get_column(label)) == _csv_sum(out / "payroll_lines.csv", column)
    contributions = _sheet(out / "payroll.xlsx", "Contributions")
    assert _cents(contributions.get_column("Amount")) == _csv_sum(out / "contribution_lines.csv", "amount")


def test_the_language_comes_from_the_profile_unless_given(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    args = ["run", str(SAMPLE / "exports_fr"), "--profile", "fr_export", "--period", "2026-10"]
    args += ["--run-date", "2026-11-02", "-q"]
    fr = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "fr"), "--store", str(tmp_path / "s1")])
    assert fr.exit_code == 0, fr.output
    # The console summary in French: 8 lines of employer 126132785, its euro totals (fr-BE numbers).
    said = " ".join(fr.output.split())
    assert "période 2026-10 : 83 lignes lues, 83 valides, 0 rejetées ; 8 lignes de paie écrites" in said
    assert "employeur 126132785 Cœur de Sambre Logistique SA : 8 lignes, 0 rejets" in said
    lines = pl.read_parquet(tmp_path / "fr" / "payroll_lines.parquet")
    due = sum(lines.get_column(c).sum() for c in ("worker_contribution", "employer_contribution", "csss"))
    assert f"dû à l'ONSS {report_money('fr', due)}" in fr.output  # 9 928,52 (narrow no-break space)
    page = (tmp_path / "fr" / "report.html").read_text(encoding="utf-8")
    assert (
        '<html lang="fr-BE">' in page
        and json.loads((tmp_path / "fr" / "manifest.json").read_text())["language"] == "fr"
    )
    nl = CliRunner().invoke(
        app, [*args, "--lang", "nl", "--out", str(tmp_path / "nl"), "--store", str(tmp_path / "s2")]
    )
    assert nl.exit_code == 0, nl.output
    assert '<html lang="nl-BE">' in (tmp_path / "nl" / "report.html").read_text(encoding="utf-8")
    assert "verschuldigd aan de RSZ" in nl.output
    bad = CliRunner().invoke(app, [*args, "--lang", "de", "--out", str(tmp_path / "de")])
    assert bad.exit_code == 2 and not (tmp_path / "de").exists()


def report_money(lang: str, value: Decimal) -> str:
    from pipeline.outputs import messages

    return messages.get(lang).money(value)


def test_excel_be_run_reads_back_with_the_belgian_dialect(published, tmp_path):
    machine = published[0]
    belgian = _published(tmp_path, "be", csv=csv_dialects.CsvChoice("auto", "excel-be"))
    manifest = json.loads((belgian / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["csv"] == {"mode": "auto", "dialect": "excel-be", "parquet_only": []}
    for name in ("payroll_lines", "contribution_lines", "guaranteed_wage_days", "onem_allowance"):
        data = (belgian / f"{name}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data, name
        # The Parquet files do not depend on the dialect.
        assert (belgian / f"{name}.parquet").read_bytes() == (machine / f"{name}.parquet").read_bytes(), name
        be = pl.read_csv(belgian / f"{name}.csv", separator=";", decimal_comma=True, infer_schema=False)
        m = pl.read_csv(machine / f"{name}.csv", infer_schema=False)
        assert be.columns == m.columns and be.height == m.height, name
        schema = pl.read_parquet_schema(machine / f"{name}.parquet")
        for column, dtype in schema.items():
            if isinstance(dtype, pl.Decimal):  # numbers: the same decimals, written with a comma
                got = be.get_column(column).str.replace(",", ".", literal=True).cast(dtype)
                assert got.equals(m.get_column(column).cast(dtype)), (name, column)
    # Worker codes stay text for Excel: ="015".
    lines = pl.read_csv(belgian / "payroll_lines.csv", separator=";", infer_schema=False)
    assert set(lines.get_column("worker_code").drop_nulls()) == {'="015"', '="495"'}


def test_csv_auto_leaves_large_tables_in_parquet(published, tmp_path, monkeypatch):
    # 67 payroll lines and 600-odd contribution lines: with a limit of 100 rows, auto writes the
    # CSV of payroll_lines and leaves contribution_lines (and guaranteed_wage_days) in Parquet only.
    monkeypatch.setattr(csv_dialects, "SPREADSHEET_MAX_ROWS", 100)
    out = _published(tmp_path, "auto")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows = {o["name"]: o["rows"] for o in manifest["outputs"] if "rows" in o}
    large = sorted(n.removesuffix(".parquet") for n, r in rows.items() if n.endswith(".parquet") and r > 100)
    assert "contribution_lines" in large and "payroll_lines" not in large
    assert manifest["csv"] == {"mode": "auto", "dialect": "machine", "parquet_only": large}
    for name in large:
        assert (out / f"{name}.parquet").is_file() and not (out / f"{name}.csv").exists(), name
    assert (out / "payroll_lines.csv").read_bytes() == (published[0] / "payroll_lines.csv").read_bytes()
    # The workbook names the file that holds a table it does not list.
    monkeypatch.setattr(workbook, "WORKBOOK_MAX_ROWS", 50)
    tables, man = run_month(SAMPLE / "batch_2026_10", "2026-10", RUN_DATE)
    data = workbook.workbook_bytes(tables, man | {"csv": manifest["csv"]}, "en")
    path = tmp_path / "limited.xlsx"
    path.write_bytes(data)
    journal = fastexcel.read_excel(path).load_sheet_by_name("Payroll journal", header_row=None).to_polars()
    assert journal.row(1)[0] == "67 rows: more than this workbook lists (at most 50 per sheet); see payroll_lines.csv."
    contributions = fastexcel.read_excel(path).load_sheet_by_name("Contributions", header_row=None).to_polars()
    assert "see contribution_lines.parquet." in contributions.row(1)[0]
    none = _published(tmp_path, "none", csv=csv_dialects.CsvChoice("none"))
    assert not list(none.glob("*.csv")) and (none / "report.html").is_file()


def test_the_report_bounds_its_sections_per_employer(sample, monkeypatch):
    from pipeline.outputs.report import monthly as page

    tables, manifest = sample
    monkeypatch.setattr(page, "EMPLOYER_SECTIONS", 2)
    monkeypatch.setattr(page, "EMPLOYERS_CHARTED", 3)
    text = html.unescape(report.render_report(tables, manifest, "en").decode())
    # Two sections (the two largest amounts due), the four employers in the recap, a note for the others.
    assert text.count('<section id="employer-') == 2
    assert "the 2 others are in the recap above and in payroll.xlsx" in text  # the recap lists every employer
    assert figures(report.render_report(tables, manifest, "en"))["all", "headcount"] == 67
    assert len({e for e, f in figures(report.render_report(tables, manifest, "en")) if f == "due_to_onss"}) == 5
    assert 'aria-label="Due to ONSS by employer (EUR)"' in text


def test_the_report_bounds_its_recap_and_employer_totals_has_every_employer(sample, published, monkeypatch):
    from pipeline.outputs.report import monthly as page

    tables, manifest = sample
    monkeypatch.setattr(page, "RECAP_EMPLOYERS", 2)
    monkeypatch.setattr(page, "EMPLOYER_SECTIONS", 2)  # the sections show the figures of the same two
    shown = figures(report.render_report(tables, manifest, "en"))
    expected = expected_figures(tables)
    # The sample's four employers, due to ONSS (sums of their lines, as the console prints them):
    # 174389412 42,827.53; 174400567 15,975.17; 174393195 13,563.53; 174396881 3,967.60. The recap
    # lists the two largest, then the two others in one line (13,563.53 + 3,967.60 = 17,531.13), then
    # the total of all four.
    assert {e for e, f in shown if f == "due_to_onss"} == {"174389412", "174400567", "others", "all"}
    assert shown["others", "due_to_onss"] == Decimal("17531.13")
    assert shown["others", "headcount"] == 10 + 6  # their lines (one per employee)
    for figure in ("headcount", "gross_salary", "due_to_onss"):
        assert shown["all", figure] == expected["all", figure]
        assert (
            shown["174389412", figure] + shown["174400567", figure] + shown["others", figure] == expected["all", figure]
        )
    text = html.unescape(report.render_report(tables, manifest, "en").decode())
    assert "the 2 others in one line; employer_totals.csv holds the totals of every employer" in text
    assert "2 other employers" in text
    assert "own; the totals of the 2 others are in employer_totals.csv." in text
    # A run writes employer_totals: every employer, the same sums as payroll_lines.
    out = published[0]
    totals = pl.read_csv(out / "employer_totals.csv", infer_schema=False)
    assert totals.get_column("employer_id").to_list() == ["174389412", "174393195", "174396881", "174400567"]
    assert totals.row(0, named=True)["name"] == "Ateliers Mosans SA"
    assert totals.get_column("due_to_onss").to_list() == ["42827.53", "13563.53", "3967.60", "15975.17"]
    stored = pl.read_parquet(out / "employer_totals.parquet")
    for column in ("gross_salary", "onss_base", "worker_contribution", "employer_contribution", "csss"):
        assert stored.get_column(column).sum() == expected["all", column], column
    assert stored.get_column("headcount").sum() == 67


def test_dmfa_and_claims_folders_get_their_report(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    store = RunStore(tmp_path / "store")
    run_month(SAMPLE / "batch_2026_10", "2026-10", RUN_DATE, store=store, out=tmp_path / "2026-10")
    args = ["claims", "--semester", "2026-H2", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "c")]
    result = CliRunner().invoke(app, [*args, "--run-date", "2026-11-02", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr-BE">' in page and "juillet 2026" in page
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert "report.html" in {o["name"] for o in manifest["outputs"]}

    q3 = RunStore(tmp_path / "q3")
    for month in ("07", "08", "09"):
        folder = SAMPLE / "quarter_2026_q3" / f"2026-{month}"
        run_month(folder, f"2026-{month}", dt.date(2026, 10, 2), store=q3, out=tmp_path / month)
    args = ["dmfa", "--quarter", "2026-Q3", "--store", str(tmp_path / "q3"), "--out", str(tmp_path / "d")]
    result = CliRunner().invoke(app, [*args, "--run-date", "2026-10-05", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "d" / "report.html").read_bytes()
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text(encoding="utf-8"))
    declared = {
        e: Decimal(d["value"])
        for d in parse(page).data
        if d.get("figure") == "net_owed_amount"
        for e in [d["employer"]]
    }
    assert declared == {e: Decimal(v["net_owed_amount"]) for e, v in manifest["employers"].items()} and declared
    assert "report.html" in {o["name"] for o in manifest["outputs"]}


def test_people_tables_mask_national_numbers():
    """The report and the workbook read the tables as the audit files hold them: an employee id
    that is a national number is masked, in payroll_lines and in the employees' names alike (so
    they still join), and the employees' niss column is not read at all."""
    from pipeline.jobs import monthly

    niss = "85073000160"  # 850730001 mod 97 = 37, check digits 97 - 37 = 60: a valid NISS
    lines = pl.DataFrame({"employee_id": [niss], "employer_id": ["174389412"]})
    employees = pl.DataFrame(
        {"employee_id": [niss], "employer_id": ["174389412"], "niss": [niss], "last_name": ["Peeters"]}
    )
    people = monthly.people_tables({"payroll_lines": lines}, {"employees": employees})
    assert people["payroll_lines"].get_column("employee_id").to_list() == ["*********60"]
    assert people["employees"].columns == ["employee_id", "employer_id", "last_name"]
    assert people["employees"].get_column("employee_id").to_list() == ["*********60"]
