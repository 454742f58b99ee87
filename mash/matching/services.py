"""Person matching in the product: the active model, batch linkage jobs, agency extracts, review and merges.

Request-time code (the person search, these pages) only reads the active model's parameters as JSON.
Splink, DuckDB and pandas are imported inside the functions that train a model or run a job, which
run in the background task or the management commands.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from mash.audit import services as audit
from mash.domain import match_model
from mash.domain.identifiers import InvalidIdentifier, normalise_postcode, validate_nhs_number, validate_upn
from mash.domain.match_model import TrainedModel
from mash.domain.matching import MatchResult, MatchWeights, PersonRecord, normalise_sex, score
from mash.partnership.services import require_partnership
from mash.people.models import Person, Relationship
from mash.people.services import person_record

from .models import CandidatePair, LinkageJob, MatchModel, PersonMerge, SourceRecord

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.partnership.models import Agency

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]

# The fields of Person that person_record() reads: loading only these keeps a 1M-person frame cheap.
RECORD_FIELDS = (
    "id", "forenames", "surname", "other_names", "date_of_birth", "expected_date_of_birth", "sex", "postcode", "address",
    "nhs_number", "upn",
)
# SQLite refuses statements with too many parameters; every `pk__in` over an unbounded set goes in chunks.
CHUNK = 900


class MatchingRefused(ValueError):
    """Something the matching service will not do; str() says why, in words an officer understands."""


class ExtractRefused(MatchingRefused):
    """An uploaded extract that cannot be used at all (unreadable, empty, no name columns)."""


class MergeRefused(MatchingRefused):
    pass


class TooFewRecords(MatchingRefused):
    pass


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MatchingRefused(f"Give a reason for {what}.")
    return reason


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------

# (key of the active row, its TrainedModel). The key includes created_at so a row replaced under the
# same primary key (tests, restored databases) is never mistaken for the cached one.
_active: tuple[tuple[Any, ...] | None, TrainedModel] | None = None


def active_model_row() -> MatchModel | None:
    return MatchModel.objects.filter(is_active=True).first()


def active_model() -> TrainedModel:
    """The model the search and batch linkage use: the active trained version, else the shipped one.

    One indexed query per call; the parameters are only parsed again when the active version changes.
    """
    global _active
    key = MatchModel.objects.filter(is_active=True).values_list("pk", "version", "created_at").first()
    cached = _active
    if cached is not None and cached[0] == key:
        return cached[1]
    if key is None:
        model = match_model.load_shipped()
    else:
        parameters = MatchModel.objects.filter(pk=key[0]).values_list("parameters", flat=True).get()
        model = TrainedModel.from_json(parameters)
    _active = (key, model)
    return model


def model_for(row: MatchModel | None) -> TrainedModel:
    return TrainedModel.from_json(row.parameters) if row is not None else match_model.load_shipped()


def explain(left: PersonRecord, right: PersonRecord, model: TrainedModel, weights: MatchWeights | None = None) -> MatchResult:
    """The Python scorer's verdict and reasons with the given model's weights and name frequencies."""
    return score(
        left, right, prior=model.prior, weights=weights or model.weights(), term_frequencies=model.term_frequencies
    )


def comparisons_as_dicts(result: MatchResult) -> list[dict[str, Any]]:
    return [asdict(c) for c in result.comparisons]


@dataclass(frozen=True)
class ParameterRow:
    field: str
    level: str
    m: float
    u: float
    weight: float


def parameter_rows(model: TrainedModel) -> list[ParameterRow]:
    rows = []
    for field_name, levels in model.levels.items():
        for level, (m, u) in levels.items():
            weight = math.log2(m / u) if m > 0 and u > 0 else float("nan")
            rows.append(ParameterRow(field_name, level, m, u, weight))
    return rows


def _un_merged_people() -> QuerySet[Person]:
    return Person.objects.filter(merged_into__isnull=True)


def _index_records() -> Iterator[tuple[str, PersonRecord]]:
    for person in _un_merged_people().only(*RECORD_FIELDS).order_by("pk").iterator(chunk_size=5000):
        yield str(person.pk), person_record(person)


def train_from_index(
    user: User | None,
    *,
    backend: str = "duckdb",
    activate: bool = True,
    progress: Progress | None = None,
    min_records: int = 1000,
    spark_session: Any = None,
) -> MatchModel:
    """Train the weights on every un-merged person in the index (EM, no labels) and save a new version."""
    from . import linkage

    # The engine has its own floor below which EM estimates are noise; a lower minimum cannot go under it.
    needed = max(min_records, linkage.MIN_TRAINING_RECORDS)
    available = _un_merged_people().count()
    if available < needed:
        raise TooFewRecords(
            f"The person index has {available:,} un-merged people; training needs at least {needed:,} so the weights "
            "are estimated from enough records. Keep using the current model until the index is larger."
        )
    if progress:
        progress("Loading the person index", 0)
    frame = linkage.records_frame(_index_records())
    trained, splink_json = linkage.train(frame, backend=backend, progress=progress, spark_session=spark_session)
    with transaction.atomic():
        version = (MatchModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        trained = replace(trained, version=version)
        if activate:
            # Deactivate first: the database allows one active row at a time.
            MatchModel.objects.filter(is_active=True).update(is_active=False)
        row = MatchModel.objects.create(
            version=version,
            source=MatchModel.Source.TRAINED,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            trained_on_records=trained.trained_on_records or len(frame),
            parameters=trained.to_json(),
            splink_model=splink_json,
            report="\n".join(trained.describe()),
            is_active=activate,
        )
        audit.record(
            user,
            "match_model.trained",
            row,
            summary=f"Trained match model v{version} on {row.trained_on_records:,} people"
            + (" and made it the active model" if activate else " (not made active)"),
        )
    return row


def activate_model(user: User, row: MatchModel, *, reason: str, request: HttpRequest | None = None) -> MatchModel:
    """Go back to (or forward to) another trained version, e.g. when a retrained model behaves worse."""
    reason = _require_reason(reason, "changing the active model")
    with transaction.atomic():
        row = MatchModel.objects.select_for_update().get(pk=row.pk)
        if row.is_active:
            raise MatchingRefused(f"Version {row.version} is already the active model.")
        MatchModel.objects.filter(is_active=True).update(is_active=False)
        row.is_active = True
        row.save(update_fields=["is_active"])
        audit.record(user, "match_model.activated", row, summary=f"Made match model v{row.version} the active model", reason=reason, request=request)
    return row


# ---------------------------------------------------------------------------------------
# Agency extracts
# ---------------------------------------------------------------------------------------

# Our field -> the column names agencies use for it (compared lower case, punctuation as "_").
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "forenames": ("forenames", "forename", "first_name", "first_names", "firstname", "given_name", "given_names", "givenname"),
    "surname": ("surname", "last_name", "lastname", "family_name", "familyname"),
    "other_names": ("other_names", "aliases", "alias", "known_as", "also_known_as"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "birthdate", "d_o_b"),
    "sex": ("sex", "gender"),
    "postcode": ("postcode", "post_code", "postal_code", "zip"),
    "address": ("address", "full_address", "address_line", "address_1", "address_line_1", "street_address"),
    "nhs_number": ("nhs_number", "nhs_no", "nhs", "nhsnumber", "nhs_num"),
    "upn": ("upn", "unique_pupil_number", "pupil_number"),
    "source_id": (
        "id", "source_id", "reference", "ref", "record_id", "client_id", "person_id", "agency_reference", "pupil_ref",
        "pupil_reference", "admission_number", "nominal_id", "patient_id",
    ),
}
FIELD_NAMES = ("forenames", "surname", "other_names", "date_of_birth", "sex", "postcode", "address", "nhs_number", "upn")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_UNKNOWN_SEX = {"u", "unknown", "not known", "not stated", "9", "0", "x", "i", "indeterminate", "other", "prefer not to say"}


@dataclass(frozen=True)
class ExtractRow:
    row_number: int
    source_id: str
    fields: dict[str, str]
    raw: dict[str, Any]
    problems: list[str]


@dataclass(frozen=True)
class ParsedExtract:
    rows: list[ExtractRow]
    columns: dict[str, str]  # our field -> the extract's column
    ignored_columns: list[str] = field(default_factory=list)
    file_type: str = "CSV"


def _column_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _map_columns(columns: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_column_key(column), column)
    mapping: dict[str, str] = {}
    for ours, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in by_key:
                mapping[ours] = by_key[alias]
                break
    used = set(mapping.values())
    return mapping, [c for c in columns if c not in used]


def _json_value(value: Any) -> Any:
    """A cell as JSON can hold it, so the row is kept exactly as the agency sent it (give or take types)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            # Spreadsheets turn NHS numbers into floats: 9434765919.0 is still the number.
            return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _clean_row(row_number: int, values: dict[str, Any], columns: dict[str, str]) -> ExtractRow:
    def cell(ours: str) -> Any:
        column = columns.get(ours)
        return values.get(column) if column is not None else None

    problems: list[str] = []
    fields = {name: "" for name in FIELD_NAMES}
    fields["forenames"] = _text(cell("forenames"))
    fields["surname"] = _text(cell("surname"))
    fields["other_names"] = _text(cell("other_names"))
    fields["address"] = _text(cell("address"))
    if not fields["forenames"] and not fields["surname"]:
        problems.append("No name on this row: it can only be matched on its date of birth, address and identifiers.")

    raw_dob = cell("date_of_birth")
    if _text(raw_dob):
        try:
            dob = _parse_date(raw_dob)
        except ValueError:
            problems.append(
                f"Date of birth '{_text(raw_dob)}' is not a date we can read (use YYYY-MM-DD or DD/MM/YYYY): not used for matching."
            )
        else:
            if dob > timezone.localdate().replace(year=timezone.localdate().year + 1):
                problems.append(f"Date of birth {dob:%d/%m/%Y} is in the future: not used for matching.")
            else:
                fields["date_of_birth"] = dob.isoformat()

    raw_sex = _text(cell("sex"))
    sex = normalise_sex(raw_sex)
    fields["sex"] = sex
    if raw_sex and not sex and raw_sex.lower() not in _UNKNOWN_SEX:
        problems.append(f"Sex '{raw_sex}' is not one we recognise: not used for matching.")

    raw_postcode = _text(cell("postcode"))
    if raw_postcode:
        postcode = normalise_postcode(raw_postcode)
        if postcode:
            fields["postcode"] = postcode
        elif re.sub(r"[\s\-._]+", "", raw_postcode).upper().startswith("ZZ99"):
            problems.append(f"Postcode '{raw_postcode}' is an NHS pseudo-postcode (no fixed abode or not known): treated as blank.")
        else:
            problems.append(f"Postcode '{raw_postcode}' is not a valid UK postcode: not used for matching.")

    raw_nhs = _text(cell("nhs_number"))
    if raw_nhs:
        try:
            fields["nhs_number"] = validate_nhs_number(raw_nhs)
        except InvalidIdentifier as invalid:
            problems.append(f"NHS number '{raw_nhs}': {invalid.message} Not used for matching.")

    raw_upn = _text(cell("upn"))
    if raw_upn:
        try:
            fields["upn"] = validate_upn(raw_upn)
        except InvalidIdentifier as invalid:
            problems.append(f"UPN '{raw_upn}': {invalid.message} Not used for matching.")

    raw = {str(k): _json_value(v) for k, v in values.items()}
    return ExtractRow(row_number, _text(cell("source_id"))[:100], fields, raw, problems)


def _read_parquet(name: str, data: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
        raise ExtractRefused(f"{name} could not be read as a Parquet file ({exc}). Check it is the file the agency sent.") from exc
    return [str(c) for c in table.column_names], table.to_pylist()


def _read_csv(name: str, data: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractRefused(
            f"{name} is not a UTF-8 CSV file. Save it from the spreadsheet as 'CSV UTF-8 (comma delimited)' and upload it again."
        ) from exc
    if "\x00" in text[:8192]:
        raise ExtractRefused(f"{name} does not look like a CSV file. Upload the extract as CSV (UTF-8) or Parquet.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        header = next(reader, None)
        if header is None:
            raise ExtractRefused(f"{name} is empty.")
        columns = [h.strip() for h in header]
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines between rows are not records
            row = dict(zip(columns, values, strict=False))
            if len(values) > len(columns):
                row["(extra values)"] = ", ".join(values[len(columns) :])
            rows.append(row)
    except csv.Error as exc:
        raise ExtractRefused(f"{name} could not be read as CSV ({exc}).") from exc
    return columns, rows


def parse_extract(name: str, data: bytes) -> ParsedExtract:
    """Read an agency extract (CSV in UTF-8, or Parquet) into validated rows, or refuse it in words.

    A file is refused only when it cannot be used at all. A bad value on a row (an NHS number that fails
    its check digit, an impossible date) is explained in that row's problems and left out of matching,
    and the row still links on everything else.
    """
    if not data:
        raise ExtractRefused(f"{name or 'The file'} is empty.")
    is_parquet = data[:4] == b"PAR1" or name.lower().endswith((".parquet", ".pq"))
    columns, rows = _read_parquet(name, data) if is_parquet else _read_csv(name, data)
    mapping, ignored = _map_columns(columns)
    if "forenames" not in mapping and "surname" not in mapping:
        raise ExtractRefused(
            f"{name} has no name columns. Name the columns forenames (or first_name) and surname (or last_name); "
            f"the columns found were: {', '.join(columns) or 'none'}."
        )
    cleaned = [_clean_row(number, values, mapping) for number, values in enumerate(rows, start=1)]
    cleaned = [r for r in cleaned if any(_text(v) for v in r.raw.values())]
    if not cleaned:
        raise ExtractRefused(f"{name} has column headings but no rows.")
    return ParsedExtract(cleaned, mapping, ignored, "Parquet" if is_parquet else "CSV")


def source_record_person(fields: dict[str, Any]) -> PersonRecord:
    dob = fields.get("date_of_birth") or ""
    return PersonRecord(
        forenames=fields.get("forenames", ""),
        surname=fields.get("surname", ""),
        other_names=tuple(n.strip() for n in (fields.get("other_names") or "").split(",") if n.strip()),
        dob=date.fromisoformat(dob) if dob else None,
        sex=fields.get("sex", ""),
        postcode=fields.get("postcode") or None,
        address=fields.get("address", ""),
        nhs_number=fields.get("nhs_number") or None,
        upn=fields.get("upn") or None,
    )


# ---------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------


def _new_job(user: User, **fields: Any) -> LinkageJob:
    partnership = require_partnership()
    return LinkageJob.objects.create(
        started_by=user,
        match_model=active_model_row(),
        review_threshold=partnership.match_review_threshold,
        strong_threshold=partnership.match_strong_threshold,
        **fields,
    )


def _enqueue(job: LinkageJob) -> None:
    from .tasks import run_linkage_job

    run_linkage_job.enqueue(job.pk)


def start_deduplication(
    user: User, *, backend: str = "duckdb", enqueue: bool = True, request: HttpRequest | None = None
) -> LinkageJob:
    job = _new_job(user, kind=LinkageJob.Kind.DEDUPLICATE, backend=backend)
    audit.record(user, "linkage.job_started", job, summary=f"Started deduplicating the person index (job #{job.pk}, {backend})", request=request)
    if enqueue:
        _enqueue(job)
    return job


def start_extract_link(
    user: User,
    *,
    agency: Agency,
    filename: str,
    data: bytes,
    backend: str = "duckdb",
    enqueue: bool = True,
    request: HttpRequest | None = None,
) -> LinkageJob:
    """Check the extract can be read (refusing it in words otherwise), keep it on the job and queue the job."""
    parsed = parse_extract(filename, data)
    job = _new_job(
        user, kind=LinkageJob.Kind.LINK_EXTRACT, backend=backend, agency=agency, extract_name=filename[:255], extract_data=data
    )
    audit.record(
        user,
        "linkage.job_started",
        job,
        summary=f"Uploaded {filename} from {agency} ({len(parsed.rows):,} rows, {parsed.file_type}) to link to the person index (job #{job.pk})",
        request=request,
    )
    if enqueue:
        _enqueue(job)
    return job


def retry_job(user: User, job: LinkageJob, *, enqueue: bool = True, request: HttpRequest | None = None) -> LinkageJob:
    """Run a failed job again with the data it already holds (the uploaded extract is never lost)."""
    updated = LinkageJob.objects.filter(pk=job.pk, status=LinkageJob.Status.FAILED).update(
        status=LinkageJob.Status.QUEUED, error="", stage="", percent=0, started_at=None, finished_at=None
    )
    if not updated:
        raise MatchingRefused("Only a job that failed can be run again.")
    job.refresh_from_db()
    audit.record(user, "linkage.job_restarted", job, summary=f"Ran {job} again after it failed", request=request)
    if enqueue:
        _enqueue(job)
    return job


class _Tracker:
    """Writes the job's stage and percent as it goes (the job page polls them) and echoes them to a callback."""

    def __init__(self, job: LinkageJob, callback: Progress | None) -> None:
        self.job = job
        self.callback = callback
        self.last: tuple[str, int] | None = None

    def __call__(self, stage: str, percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        if (stage, percent) == self.last:
            return
        self.last = (stage, percent)
        self.job.stage, self.job.percent = stage[:200], percent
        LinkageJob.objects.filter(pk=self.job.pk).update(stage=stage[:200], percent=percent)
        if self.callback is not None:
            self.callback(stage, percent)

    def within(self, low: int, high: int) -> Progress:
        """The engine reports 0-100 for its own part; on the job page that part is low-high."""
        return lambda stage, percent: self(stage, low + (high - low) * max(0, min(100, int(percent))) // 100)


def _failure_in_words(exc: BaseException, stage: str) -> str:
    message = str(exc).strip() or type(exc).__name__
    where = f" while {stage[0].lower()}{stage[1:]}" if stage else ""
    return f"The job stopped{where}: {message}"


def run_job(job_id: int, *, progress: Progress | None = None, spark_session: Any = None) -> LinkageJob:
    """Run a queued (or failed) job to the end. Progress is saved as it goes; a failure is saved in words."""
    claimed = LinkageJob.objects.filter(pk=job_id, status__in=[LinkageJob.Status.QUEUED, LinkageJob.Status.FAILED]).update(
        status=LinkageJob.Status.RUNNING, started_at=timezone.now(), finished_at=None, error="", percent=0, stage="Starting"
    )
    job = LinkageJob.objects.select_related("agency", "match_model").get(pk=job_id)
    if not claimed:
        # Already finished, or another worker has it: a task delivered twice must not write pairs twice.
        return job
    tracker = _Tracker(job, progress)
    tracker("Starting", 0)
    try:
        partnership = require_partnership()
        if job.review_threshold is None or job.strong_threshold is None:
            job.review_threshold = partnership.match_review_threshold
            job.strong_threshold = partnership.match_strong_threshold
            job.save(update_fields=["review_threshold", "strong_threshold"])
        model = model_for(job.match_model)
        splink_json = job.match_model.splink_model if job.match_model is not None else {}
        if job.kind == LinkageJob.Kind.DEDUPLICATE:
            _run_deduplication(job, model, splink_json, tracker, spark_session)
        else:
            _run_extract(job, model, splink_json, tracker, spark_session)
    except Exception as exc:
        logger.exception("Linkage job %s failed", job_id)
        error = _failure_in_words(exc, job.stage)
        LinkageJob.objects.filter(pk=job_id).update(status=LinkageJob.Status.FAILED, finished_at=timezone.now(), error=error)
        job.refresh_from_db()
        audit.record(None, "linkage.job_finished", job, summary=f"{job} failed. {error}")
    else:
        job.refresh_from_db()
    return job


def _thresholds(job: LinkageJob) -> tuple[float, float]:
    assert job.review_threshold is not None and job.strong_threshold is not None
    return float(job.review_threshold), float(job.strong_threshold)


def _people_by_id(ids: Iterable[int]) -> dict[int, Person]:
    found: dict[int, Person] = {}
    ordered = sorted(set(ids))
    for chunk in _chunks(ordered):
        found.update(Person.objects.in_bulk(list(chunk)))
    return found


@dataclass(frozen=True)
class _ScoredPair:
    left: str
    right: str
    probability: float
    match_weight: float


def _result_pairs(result: Any, review: float) -> list[_ScoredPair]:
    pairs = result.pairs
    if len(pairs) == 0:
        return []
    pairs = pairs[pairs["match_probability"] >= review]
    return [
        _ScoredPair(str(left), str(right), float(p), float(w))
        for left, right, p, w in zip(
            pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], pairs["match_weight"], strict=True
        )
    ]


def _clusters(result: Any) -> dict[str, int]:
    """unique_id -> cluster number within the job (1, 2, ...), for clusters of two or more records."""
    frame = result.clusters
    if len(frame) == 0:
        return {}
    members: dict[str, list[str]] = defaultdict(list)
    for uid, cluster in zip(frame["unique_id"], frame["cluster_id"], strict=True):
        members[str(cluster)].append(str(uid))
    numbered: dict[str, int] = {}
    groups = sorted((sorted(ids) for ids in members.values() if len(ids) > 1), key=lambda ids: ids[0])
    for number, ids in enumerate(groups, start=1):
        for uid in ids:
            numbered[uid] = number
    return numbered


def _finish(job: LinkageJob, tracker: _Tracker, summary: str, **counts: int) -> None:
    LinkageJob.objects.filter(pk=job.pk).update(
        status=LinkageJob.Status.DONE, finished_at=timezone.now(), percent=100, stage="Finished", **counts
    )
    job.refresh_from_db()
    audit.record(None, "linkage.job_finished", job, summary=summary)
    if tracker.callback is not None:
        tracker.callback("Finished", 100)


def _run_deduplication(job: LinkageJob, model: TrainedModel, splink_json: dict[str, Any], tracker: _Tracker, spark_session: Any) -> None:
    from . import linkage

    review, strong = _thresholds(job)
    tracker("Loading the person index", 2)
    frame = linkage.records_frame(_index_records())
    records = len(frame)
    LinkageJob.objects.filter(pk=job.pk).update(records=records)
    if records < 2:
        with transaction.atomic():
            _finish(job, tracker, f"{job} finished: fewer than two people in the index, nothing to compare", records=records)
        return
    result = linkage.dedupe(
        frame, model, splink_json, review_threshold=review, strong_threshold=strong, backend=job.backend,
        progress=tracker.within(10, 80), spark_session=spark_session,
    )
    scored = _result_pairs(result, review)
    clusters = _clusters(result)
    tracker("Writing the pairs for review", 80)

    people = _people_by_id(int(uid) for pair in scored for uid in (pair.left, pair.right))
    rejected = {
        frozenset(ids)
        for ids in CandidatePair.objects.filter(status=CandidatePair.Status.REJECTED, left__isnull=False).values_list("left_id", "right_id")
    }
    earlier_pending: dict[frozenset[int], list[int]] = defaultdict(list)
    for pk, left_id, right_id in CandidatePair.objects.filter(status=CandidatePair.Status.PENDING, left__isnull=False).values_list(
        "pk", "left_id", "right_id"
    ):
        earlier_pending[frozenset((left_id, right_id))].append(pk)

    weights = model.weights()
    new_pairs: list[CandidatePair] = []
    replaced: list[int] = []
    for index, pair in enumerate(scored):
        a, b = sorted((int(pair.left), int(pair.right)))
        left, right = people.get(a), people.get(b)
        if left is None or right is None or left.merged_into_id or right.merged_into_id:
            continue  # merged (or gone) since the index was read
        if frozenset((a, b)) in rejected:
            continue  # a person already said these are different people
        replaced += earlier_pending.get(frozenset((a, b)), [])
        cluster_a, cluster_b = clusters.get(str(a)), clusters.get(str(b))
        is_strong = pair.probability >= strong
        new_pairs.append(
            CandidatePair(
                job=job,
                left=left,
                right=right,
                probability=pair.probability,
                match_weight=pair.match_weight,
                comparisons=comparisons_as_dicts(explain(person_record(left), person_record(right), model, weights)),
                strong=is_strong,
                cluster=cluster_a if is_strong and cluster_a is not None and cluster_a == cluster_b else None,
            )
        )
        if index % 1000 == 999:
            tracker("Writing the pairs for review", 80 + 15 * index // max(1, len(scored)))
    written_clusters = {p.cluster for p in new_pairs if p.cluster is not None}
    with transaction.atomic():
        for chunk in _chunks(replaced):
            CandidatePair.objects.filter(pk__in=list(chunk), status=CandidatePair.Status.PENDING).update(
                status=CandidatePair.Status.SUPERSEDED, note=f"Scored again by linkage job #{job.pk}.", decided_at=timezone.now()
            )
        CandidatePair.objects.bulk_create(new_pairs, batch_size=500)
        # Strong pairs form the clusters; the rest (between the two thresholds) are "queued for review".
        # Both wait for a person: nothing is merged automatically.
        strong_pairs = sum(1 for p in new_pairs if p.strong)
        _finish(
            job,
            tracker,
            f"{job} finished: {records:,} people, {len(scored):,} pairs at or above the review threshold, "
            f"{strong_pairs:,} strong pairs in {len(written_clusters):,} clusters of likely duplicates, "
            f"{len(new_pairs) - strong_pairs:,} more pairs for review",
            records=records,
            pairs_scored=len(scored),
            clusters=len(written_clusters),
            strong_pairs=strong_pairs,
            queued_for_review=len(new_pairs) - strong_pairs,
            linked_automatically=0,
            unmatched=0,
        )


def _ensure_source_records(job: LinkageJob) -> list[SourceRecord]:
    """The extract's rows as SourceRecords, created once (a job run again reuses them)."""
    existing = list(job.source_records.order_by("row_number"))
    if existing:
        return existing
    assert job.agency_id is not None
    parsed = parse_extract(job.extract_name, bytes(job.extract_data or b""))
    with transaction.atomic():
        SourceRecord.objects.bulk_create(
            [
                SourceRecord(
                    job=job, agency_id=job.agency_id, row_number=row.row_number, source_id=row.source_id, fields=row.fields,
                    raw=row.raw, problems=row.problems,
                )
                for row in parsed.rows
            ],
            batch_size=500,
        )
    return list(job.source_records.order_by("row_number"))


def _run_extract(job: LinkageJob, model: TrainedModel, splink_json: dict[str, Any], tracker: _Tracker, spark_session: Any) -> None:
    from . import linkage

    review, strong = _thresholds(job)
    tracker("Reading the extract", 1)
    rows = _ensure_source_records(job)
    LinkageJob.objects.filter(pk=job.pk).update(records=len(rows))
    waiting = [sr for sr in rows if sr.person_id is None]
    by_uid = {f"x{sr.row_number}": sr for sr in waiting}
    tracker("Loading the person index", 5)
    index = linkage.records_frame(_index_records())
    scored: list[_ScoredPair] = []
    if waiting and len(index):
        extract = linkage.records_frame((uid, source_record_person(sr.fields)) for uid, sr in by_uid.items())
        result = linkage.link(
            extract, index, model, splink_json, review_threshold=review, strong_threshold=strong, backend=job.backend,
            progress=tracker.within(10, 80), spark_session=spark_session,
        )
        scored = _result_pairs(result, review)
    tracker("Deciding which rows to link", 80)

    candidates: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for pair in scored:
        row_uid, person_uid = (pair.left, pair.right) if pair.left.startswith("x") else (pair.right, pair.left)
        if row_uid in by_uid and not person_uid.startswith("x"):
            candidates[row_uid].append((int(person_uid), pair.probability, pair.match_weight))
    people = _people_by_id(pid for found in candidates.values() for pid, _, _ in found)
    rejected = set(
        CandidatePair.objects.filter(source_record__job=job, status=CandidatePair.Status.REJECTED).values_list("source_record_id", "right_id")
    )

    weights = model.weights()
    now = timezone.now()
    new_pairs: list[CandidatePair] = []
    auto_linked: list[tuple[SourceRecord, Person]] = []
    queued = unmatched = 0
    for number, (uid, sr) in enumerate(by_uid.items()):
        found = [
            (people[pid], p, w)
            for pid, p, w in candidates.get(uid, [])
            if pid in people and people[pid].merged_into_id is None and (sr.pk, pid) not in rejected
        ]
        found.sort(key=lambda c: (-c[1], c[0].pk))
        if not found:
            unmatched += 1
            continue
        strong_ones = [c for c in found if c[1] >= strong]
        linked = strong_ones[0][0] if len(strong_ones) == 1 else None
        record = source_record_person(sr.fields)
        for person, probability, weight in found:
            pair = CandidatePair(
                job=job,
                source_record=sr,
                right=person,
                probability=probability,
                match_weight=weight,
                comparisons=comparisons_as_dicts(explain(record, person_record(person), model, weights)),
                strong=probability >= strong,
            )
            if linked is not None:
                pair.status = CandidatePair.Status.CONFIRMED if person.pk == linked.pk else CandidatePair.Status.SUPERSEDED
                pair.decided_at = now
                pair.note = (
                    "Linked automatically: the only strong match for this row."
                    if person.pk == linked.pk
                    else f"The row was linked automatically to {linked.full_name}, its only strong match."
                )
            new_pairs.append(pair)
        if linked is not None:
            sr.person, sr.link_probability, sr.linked_by, sr.linked_at = linked, strong_ones[0][1], SourceRecord.LinkedBy.AUTOMATIC, now
            auto_linked.append((sr, linked))
        else:
            queued += 1
        if number % 1000 == 999:
            tracker("Deciding which rows to link", 80 + 15 * number // max(1, len(by_uid)))

    with transaction.atomic():
        CandidatePair.objects.bulk_create(new_pairs, batch_size=500)
        SourceRecord.objects.bulk_update([sr for sr, _ in auto_linked], ["person", "link_probability", "linked_by", "linked_at"], batch_size=500)
        for sr, person in auto_linked:
            audit.record(
                None,
                "source_record.linked",
                sr,
                summary=f"Linked {sr.agency} row {sr.row_number} automatically to {person.full_name} (#{person.pk}), "
                f"its only strong match ({sr.link_probability:.1%}) in linkage job #{job.pk}",
            )
        already = len(rows) - len(waiting)
        _finish(
            job,
            tracker,
            f"{job} finished: {len(rows):,} rows against {len(index):,} people; {len(auto_linked):,} linked automatically, "
            f"{queued:,} waiting for review, {unmatched:,} unmatched" + (f", {already:,} linked before" if already else ""),
            records=len(rows),
            pairs_scored=len(scored),
            clusters=0,
            strong_pairs=sum(1 for p in new_pairs if p.strong),
            queued_for_review=queued,
            linked_automatically=len(auto_linked) + already,
            unmatched=unmatched,
        )


# ---------------------------------------------------------------------------------------
# Merges
# ---------------------------------------------------------------------------------------

# Keys of PersonMerge.moved, in the order the merge page lists them.
MOVED_KEYS = (
    "contact_people", "involvements", "relationships_person", "relationships_relative", "early_help_referrals", "source_records",
)


def _live(person: Person) -> Person:
    """The record a merged person now lives in (merges can chain: C into B, then B into A)."""
    seen = {person.pk}
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
        if person.pk in seen:  # never expected; a loop would otherwise spin for ever
            break
        seen.add(person.pk)
    return person


def _describe_moved(moved: dict[str, list[int]]) -> str:
    labels = {
        "contact_people": "contact appearance(s)",
        "involvements": "involvement(s)",
        "relationships_person": "relationship(s)",
        "relationships_relative": "relationship(s) as a relative",
        "early_help_referrals": "early help referral(s)",
        "source_records": "agency record(s)",
    }
    parts = [f"{len(moved[key])} {labels[key]}" for key in MOVED_KEYS if moved.get(key)]
    return ", ".join(parts) if parts else "nothing (the record had no history)"


def merge_people(
    user: User, *, survivor: Person, merged: Person, reason: str, pair: CandidatePair | None = None,
    request: HttpRequest | None = None,
) -> PersonMerge:
    """Merge a duplicate into the survivor: every row pointing at it moves, and the move is recorded to undo.

    The merged record is never deleted: it points at the survivor and drops out of searches and lists.
    """
    from mash.decisions.models import EarlyHelpReferral
    from mash.intake.models import ContactPerson

    reason = _require_reason(reason, "the merge")
    if survivor.pk == merged.pk:
        raise MergeRefused("A record cannot be merged into itself.")
    with transaction.atomic():
        # Lock both people in a fixed order so two reviewers merging the same pair cannot deadlock or race.
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")}
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        if merged.merged_into_id is not None:
            into = Person.objects.get(pk=merged.merged_into_id)
            raise MergeRefused(f"{merged.full_name} (#{merged.pk}) has already been merged into {into.full_name} (#{into.pk}).")
        if survivor.merged_into_id is not None:
            into = Person.objects.get(pk=survivor.merged_into_id)
            raise MergeRefused(
                f"{survivor.full_name} (#{survivor.pk}) has itself been merged into {into.full_name} (#{into.pk}): "
                "keep that record instead."
            )

        moved: dict[str, list[int]] = {}

        def move(key: str, rows: QuerySet[Any], **to: Person) -> None:
            ids = sorted(rows.values_list("pk", flat=True))
            moved[key] = ids
            for chunk in _chunks(ids):
                rows.model.objects.filter(pk__in=list(chunk)).update(**to)

        move("contact_people", ContactPerson.objects.filter(person=merged), person=survivor)
        move("involvements", merged.involvements.all(), person=survivor)
        move("early_help_referrals", EarlyHelpReferral.objects.filter(person=merged), person=survivor)
        move("source_records", SourceRecord.objects.filter(person=merged), person=survivor)

        # A relationship that would point the survivor at itself, or repeat one the survivor already has,
        # stays with the merged record (it is still there, and comes back whole if the merge is undone).
        kept: list[int] = []
        as_person, as_relative = [], []
        survivor_relatives = set(Relationship.objects.filter(person=survivor).values_list("relative_id", flat=True))
        survivor_people = set(Relationship.objects.filter(relative=survivor).values_list("person_id", flat=True))
        for r in Relationship.objects.filter(person=merged).order_by("pk"):
            if r.relative_id == survivor.pk or r.relative_id in survivor_relatives:
                kept.append(r.pk)
            else:
                as_person.append(r.pk)
                survivor_relatives.add(r.relative_id)
        for r in Relationship.objects.filter(relative=merged).order_by("pk"):
            if r.person_id == survivor.pk or r.person_id in survivor_people:
                kept.append(r.pk)
            else:
                as_relative.append(r.pk)
                survivor_people.add(r.person_id)
        Relationship.objects.filter(pk__in=as_person).update(person=survivor)
        Relationship.objects.filter(pk__in=as_relative).update(relative=survivor)
        moved["relationships_person"] = as_person
        moved["relationships_relative"] = as_relative
        moved["relationships_kept"] = sorted(kept)

        # Other pending duplicate pairs about the merged record no longer make sense; undo restores them.
        stale = CandidatePair.objects.filter(status=CandidatePair.Status.PENDING, left__isnull=False).filter(
            Q(left=merged) | Q(right=merged)
        )
        if pair is not None:
            stale = stale.exclude(pk=pair.pk)
        moved["superseded_pairs"] = sorted(stale.values_list("pk", flat=True))
        stale.update(
            status=CandidatePair.Status.SUPERSEDED, decided_at=timezone.now(),
            note=f"{merged.full_name} (#{merged.pk}) was merged into {survivor.full_name} (#{survivor.pk}).",
        )

        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        merge = PersonMerge.objects.create(survivor=survivor, merged=merged, pair=pair, reason=reason, merged_by=user, moved=moved)
        summary = (
            f"Merged {merged.full_name} (#{merged.pk}) into {survivor.full_name} (#{survivor.pk}) (merge #{merge.pk}); "
            f"moved {_describe_moved(moved)}"
        )
        if kept:
            summary += f"; {len(kept)} relationship(s) stayed with the merged record"
        audit.record(user, "person.merged", survivor, summary=summary, reason=reason, request=request)
        audit.record(user, "person.merged", merged, summary=summary, reason=reason, request=request)
    return merge


def undo_merge(
    user: User, merge: PersonMerge, *, reason: str, different_people: bool = False, request: HttpRequest | None = None
) -> PersonMerge:
    """Put back exactly the rows the merge moved and bring the merged record back.

    The pair that led to the merge goes back to the review queue (pending), because an undo says the
    merge was wrong or premature, not necessarily that they are different people; when the reviewer says
    they are different people it is rejected instead, so later jobs do not suggest it again.
    """
    from mash.decisions.models import EarlyHelpReferral
    from mash.intake.models import ContactPerson
    from mash.people.models import Involvement

    reason = _require_reason(reason, "undoing the merge")
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.is_undone:
            raise MergeRefused(f"Merge #{merge.pk} has already been undone.")
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[merge.survivor_id, merge.merged_id]).order_by("pk")}
        survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
        if merged.merged_into_id != survivor.pk:
            raise MergeRefused(
                f"{merged.full_name} (#{merged.pk}) is no longer merged into {survivor.full_name} (#{survivor.pk}), "
                "so this merge cannot be undone."
            )
        if survivor.merged_into_id is not None:
            into = Person.objects.get(pk=survivor.merged_into_id)
            raise MergeRefused(
                f"{survivor.full_name} (#{survivor.pk}) has since been merged into {into.full_name} (#{into.pk}). "
                "Undo that merge first."
            )
        moved = merge.moved
        back = {
            "contact_people": (ContactPerson, "person"),
            "involvements": (Involvement, "person"),
            "early_help_referrals": (EarlyHelpReferral, "person"),
            "source_records": (SourceRecord, "person"),
            "relationships_person": (Relationship, "person"),
            "relationships_relative": (Relationship, "relative"),
        }
        returned = 0
        for key, (model, attribute) in back.items():
            ids = list(moved.get(key, []))
            for chunk in _chunks(ids):
                # Only rows still at the survivor: one changed by hand since the merge is left where it is.
                returned += model.objects.filter(pk__in=list(chunk), **{attribute: survivor}).update(**{attribute: merged})
        expected = sum(len(moved.get(key, [])) for key in back)
        restored_pairs = 0
        for chunk in _chunks(list(moved.get("superseded_pairs", []))):
            restored_pairs += CandidatePair.objects.filter(pk__in=list(chunk), status=CandidatePair.Status.SUPERSEDED).update(
                status=CandidatePair.Status.PENDING, decided_at=None, note=""
            )

        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        merge.undone_by, merge.undone_at, merge.undo_reason = user, timezone.now(), reason
        merge.save(update_fields=["undone_by", "undone_at", "undo_reason"])
        if merge.pair_id is not None:
            pair = CandidatePair.objects.select_for_update().get(pk=merge.pair_id)
            if pair.status == CandidatePair.Status.CONFIRMED:
                if different_people:
                    pair.status, pair.decided_by, pair.decided_at = CandidatePair.Status.REJECTED, user, timezone.now()
                    pair.note = f"Merge #{merge.pk} undone: different people. {reason}"
                else:
                    pair.status, pair.decided_by, pair.decided_at = CandidatePair.Status.PENDING, None, None
                    pair.note = f"Merge #{merge.pk} undone; back in the review queue. {reason}"
                pair.save(update_fields=["status", "decided_by", "decided_at", "note"])
        summary = (
            f"Undid merge #{merge.pk}: {merged.full_name} (#{merged.pk}) is separate from {survivor.full_name} (#{survivor.pk}) again; "
            f"{returned} of {expected} moved row(s) returned"
        )
        if returned != expected:
            summary += " (the others had been changed since the merge and were left where they are)"
        if restored_pairs:
            summary += f"; {restored_pairs} pair(s) back in the review queue"
        if different_people:
            summary += "; recorded as different people"
        audit.record(user, "person.merge_undone", survivor, summary=summary, reason=reason, request=request)
        audit.record(user, "person.merge_undone", merged, summary=summary, reason=reason, request=request)
    return merge


# ---------------------------------------------------------------------------------------
# Review
# ---------------------------------------------------------------------------------------


def _lock_pending(pair: CandidatePair) -> CandidatePair:
    # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    locked = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if locked.status != CandidatePair.Status.PENDING:
        raise MatchingRefused(f"This pair has already been decided: {locked.get_status_display().lower()}.")
    return locked


def confirm_pair(
    user: User, pair: CandidatePair, *, survivor: Person | None = None, reason: str, request: HttpRequest | None = None
) -> PersonMerge | SourceRecord:
    """Confirm the two are the same person: merge two index records, or link an extract row to the person."""
    reason = _require_reason(reason, "confirming the match")
    with transaction.atomic():
        pair = _lock_pending(pair)
        now = timezone.now()
        if pair.source_record_id is None:
            assert pair.left is not None
            if survivor is None:
                raise MatchingRefused("Choose which record to keep.")
            if survivor.pk not in (pair.left_id, pair.right_id):
                raise MatchingRefused("The record to keep must be one of the two in this pair.")
            merged = pair.right if survivor.pk == pair.left_id else pair.left
            keep = pair.left if survivor.pk == pair.left_id else pair.right
            merge = merge_people(user, survivor=keep, merged=merged, reason=reason, pair=pair, request=request)
            pair.status, pair.decided_by, pair.decided_at, pair.note = CandidatePair.Status.CONFIRMED, user, now, reason
            pair.save(update_fields=["status", "decided_by", "decided_at", "note"])
            audit.record(user, "match_pair.confirmed", pair, summary=f"Confirmed pair #{pair.pk} as the same person (merge #{merge.pk})", reason=reason, request=request)
            return merge
        source = SourceRecord.objects.select_for_update().get(pk=pair.source_record_id)
        if source.person_id is not None:
            raise MatchingRefused(f"{source} is already linked to {source.person}.")
        person = _live(pair.right)
        source.person, source.link_probability, source.linked_by, source.linked_at = person, pair.probability, SourceRecord.LinkedBy.REVIEWER, now
        source.save(update_fields=["person", "link_probability", "linked_by", "linked_at"])
        pair.status, pair.decided_by, pair.decided_at, pair.note = CandidatePair.Status.CONFIRMED, user, now, reason
        pair.save(update_fields=["status", "decided_by", "decided_at", "note"])
        others = source.pairs.filter(status=CandidatePair.Status.PENDING).exclude(pk=pair.pk)
        others.update(status=CandidatePair.Status.SUPERSEDED, decided_at=now, note=f"The row was linked to {person.full_name} by a reviewer.")
        via = f" (now merged into {person.full_name})" if person.pk != pair.right_id else ""
        summary = f"Linked {source.agency} row {source.row_number} to {pair.right.full_name} (#{pair.right_id}){via}, confirming pair #{pair.pk}"
        audit.record(user, "source_record.linked", source, summary=summary, reason=reason, request=request)
        audit.record(user, "match_pair.confirmed", pair, summary=summary, reason=reason, request=request)
        return source


def reject_pair(user: User, pair: CandidatePair, *, reason: str, request: HttpRequest | None = None) -> CandidatePair:
    """Different people: the pair leaves the queue and later jobs will not suggest it again."""
    reason = _require_reason(reason, "rejecting the match")
    with transaction.atomic():
        pair = _lock_pending(pair)
        pair.status, pair.decided_by, pair.decided_at, pair.note = CandidatePair.Status.REJECTED, user, timezone.now(), reason
        pair.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit.record(user, "match_pair.rejected", pair, summary=f"Rejected pair #{pair.pk}: {describe_pair(pair)} are different people", reason=reason, request=request)
    return pair


def cluster_pairs(job: LinkageJob, cluster: int) -> QuerySet[CandidatePair]:
    return job.pairs.filter(cluster=cluster, left__isnull=False).select_related("left", "right")


def confirm_cluster(
    user: User, job: LinkageJob, cluster: int, *, survivor: Person, reason: str, request: HttpRequest | None = None
) -> list[PersonMerge]:
    """Everyone in a cluster of strong pairs is the same person: merge each of the others into the survivor."""
    reason = _require_reason(reason, "confirming the cluster")
    with transaction.atomic():
        list(job.pairs.filter(cluster=cluster).select_for_update().values_list("pk", flat=True))
        pairs = list(cluster_pairs(job, cluster).order_by("-probability", "pk"))
        if not pairs:
            raise MatchingRefused(f"Job #{job.pk} has no cluster {cluster}.")
        pending = [p for p in pairs if p.status == CandidatePair.Status.PENDING]
        if not pending:
            raise MatchingRefused(f"Cluster {cluster} has already been decided.")
        members = {p.left_id for p in pairs} | {p.right_id for p in pairs}
        if survivor.pk not in members:
            raise MatchingRefused("The record to keep must be one of the people in the cluster.")
        merges = []
        for person_id in sorted(members - {survivor.pk}):
            person = Person.objects.get(pk=person_id)
            if person.merged_into_id is not None:
                continue  # merged already (by another pair in this cluster or earlier)
            direct = next((p for p in pending if {p.left_id, p.right_id} == {survivor.pk, person_id}), None)
            # Confirm the pair that says this person and the survivor are the same, when the job scored one.
            if direct is not None:
                direct.refresh_from_db()
            if direct is not None and direct.status == CandidatePair.Status.PENDING:
                merges.append(merge_people(user, survivor=survivor, merged=person, reason=reason, pair=direct, request=request))
                direct.status, direct.decided_by, direct.decided_at, direct.note = CandidatePair.Status.CONFIRMED, user, timezone.now(), reason
                direct.save(update_fields=["status", "decided_by", "decided_at", "note"])
            else:
                merges.append(merge_people(user, survivor=survivor, merged=person, reason=reason, request=request))
        audit.record(
            user,
            "match_cluster.confirmed",
            job,
            summary=f"Confirmed cluster {cluster} of job #{job.pk} as one person: {len(merges)} record(s) merged into "
            f"{survivor.full_name} (#{survivor.pk})",
            reason=reason,
            request=request,
        )
    return merges


# ---------------------------------------------------------------------------------------
# What the pages show (and the audit of every view: they show children's details)
# ---------------------------------------------------------------------------------------


def describe_pair(pair: CandidatePair) -> str:
    left = pair.left.full_name if pair.left_id else f"{pair.source_record.agency} row {pair.source_record.row_number}" if pair.source_record_id else "?"
    return f"{left} and {pair.right.full_name}"


@dataclass(frozen=True)
class Side:
    """One side of a pair, as the review page lays the two out side by side."""

    title: str
    person: Person | None
    forenames: str
    surname: str
    other_names: str
    date_of_birth: date | None
    sex: str
    postcode: str
    address: str
    nhs_number: str
    upn: str
    problems: tuple[str, ...] = ()
    merged_into: Person | None = None


_SEX_LABELS = {"M": "Male", "F": "Female", "U": "Not known", "": "Not known"}


def person_side(person: Person, title: str = "") -> Side:
    return Side(
        title=title or f"Person #{person.pk}",
        person=person,
        forenames=person.forenames,
        surname=person.surname,
        other_names=person.other_names,
        date_of_birth=person.date_of_birth or person.expected_date_of_birth,
        sex=_SEX_LABELS.get(person.sex, person.sex),
        postcode=person.postcode,
        address=person.address,
        nhs_number=person.nhs_number,
        upn=person.upn,
        merged_into=person.merged_into if person.merged_into_id else None,
    )


def source_side(source: SourceRecord) -> Side:
    f = source.fields
    dob = f.get("date_of_birth") or ""
    return Side(
        title=f"{source.agency} row {source.row_number}" + (f" (their reference {source.source_id})" if source.source_id else ""),
        person=None,
        forenames=f.get("forenames", ""),
        surname=f.get("surname", ""),
        other_names=f.get("other_names", ""),
        date_of_birth=date.fromisoformat(dob) if dob else None,
        sex=_SEX_LABELS.get(f.get("sex", ""), f.get("sex", "")),
        postcode=f.get("postcode", ""),
        address=f.get("address", ""),
        nhs_number=f.get("nhs_number", ""),
        upn=f.get("upn", ""),
        problems=tuple(source.problems or ()),
    )


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    weight: float
    explanation: str


def reasons(pair: CandidatePair) -> tuple[list[Reason], list[Reason]]:
    """(agreed, disagreed), strongest first; fields that were missing on either side say nothing."""
    items = [
        Reason(c.get("field", ""), c.get("level", ""), float(c.get("weight", 0.0)), c.get("explanation", ""))
        for c in pair.comparisons or []
    ]
    items = [r for r in items if r.level not in {"missing", "not_compared"}]
    agreed = sorted((r for r in items if r.weight > 0), key=lambda r: -r.weight)
    disagreed = sorted((r for r in items if r.weight < 0), key=lambda r: r.weight)
    return agreed, disagreed


def pending_pairs(job: LinkageJob | None = None) -> QuerySet[CandidatePair]:
    pairs = CandidatePair.objects.filter(status=CandidatePair.Status.PENDING)
    if job is not None:
        pairs = pairs.filter(job=job)
    return pairs.select_related("job", "left", "right", "source_record__agency").order_by("-probability", "pk")


@dataclass
class Cluster:
    number: int
    people: list[Person]
    pairs: list[CandidatePair]

    @property
    def pending(self) -> bool:
        return any(p.status == CandidatePair.Status.PENDING for p in self.pairs)

    @property
    def sides(self) -> list[Side]:
        return [person_side(p) for p in self.people]


def job_clusters(job: LinkageJob, *, limit: int = 50) -> tuple[list[Cluster], int]:
    """The job's clusters of strong pairs (first `limit`), and how many there are in all."""
    numbers = list(job.pairs.filter(cluster__isnull=False).values_list("cluster", flat=True).distinct().order_by("cluster"))
    shown = numbers[:limit]
    pairs = job.pairs.filter(cluster__in=shown).select_related("left__merged_into", "right__merged_into").order_by("cluster", "-probability")
    grouped: dict[int, Cluster] = {}
    for pair in pairs:
        cluster = grouped.setdefault(pair.cluster or 0, Cluster(pair.cluster or 0, [], []))
        cluster.pairs.append(pair)
        for person in (pair.left, pair.right):
            if person is not None and all(p.pk != person.pk for p in cluster.people):
                cluster.people.append(person)
    for cluster in grouped.values():
        cluster.people.sort(key=lambda p: p.pk)
    return [grouped[n] for n in shown if n in grouped], len(numbers)


@dataclass(frozen=True)
class ExtractResults:
    linked: list[SourceRecord]
    queued: list[SourceRecord]
    unmatched: list[SourceRecord]
    linked_count: int
    queued_count: int
    unmatched_count: int
    with_problems: int
    limit: int


def extract_results(job: LinkageJob, *, limit: int = 200) -> ExtractResults:
    """The extract's rows as they stand now: linked (automatically or by a reviewer), waiting for review, unmatched."""
    rows = job.source_records.select_related("person", "agency")
    pending = job.pairs.filter(status=CandidatePair.Status.PENDING, source_record__isnull=False).values("source_record_id")
    linked = rows.filter(person__isnull=False)
    queued = rows.filter(person__isnull=True, pk__in=pending)
    # Rows whose every candidate was rejected count as unmatched too: nobody in the index is them.
    unmatched = rows.filter(person__isnull=True).exclude(pk__in=pending)
    problems = sum(1 for p in job.source_records.values_list("problems", flat=True) if p)
    return ExtractResults(
        list(linked[:limit]), list(queued[:limit]), list(unmatched[:limit]), linked.count(), queued.count(), unmatched.count(),
        problems, limit,
    )


def view_overview(user: User, *, request: HttpRequest | None = None) -> None:
    audit.record(user, "matching.overview_viewed", summary="Viewed the person matching overview (recent jobs and merges)", object_type="matching.linkagejob", request=request)


def view_job(user: User, job: LinkageJob, *, request: HttpRequest | None = None) -> None:
    audit.record(user, "linkage.job_viewed", job, summary=f"Viewed the results of {job}", request=request)


def view_review_queue(user: User, pairs: Sequence[CandidatePair], *, job: LinkageJob | None = None, request: HttpRequest | None = None) -> None:
    where = f" for job #{job.pk}" if job else ""
    ids = ", ".join(f"#{p.pk}" for p in pairs[:50])
    audit.record(
        user, "match_pair.list_viewed", summary=f"Viewed the review queue{where}: {len(pairs)} pair(s) shown{': ' + ids if ids else ''}",
        object_type="matching.candidatepair", request=request,
    )


def view_pair(user: User, pair: CandidatePair, *, request: HttpRequest | None = None) -> None:
    audit.record(user, "match_pair.viewed", pair, summary=f"Viewed pair #{pair.pk}: {describe_pair(pair)}", request=request)


def view_merges(user: User, merges: Sequence[PersonMerge], *, request: HttpRequest | None = None) -> None:
    audit.record(
        user, "person_merge.list_viewed", summary=f"Viewed the list of merges: {len(merges)} shown", object_type="matching.personmerge", request=request
    )


def view_merge(user: User, merge: PersonMerge, *, request: HttpRequest | None = None) -> None:
    audit.record(
        user, "person_merge.viewed", merge,
        summary=f"Viewed merge #{merge.pk}: {merge.merged.full_name} (#{merge.merged_id}) into {merge.survivor.full_name} (#{merge.survivor_id})",
        request=request,
    )


@dataclass(frozen=True)
class MovedRow:
    kind: str
    pk: int
    description: str
    still_there: bool  # still at the survivor (undo would move it back)


def moved_rows(merge: PersonMerge) -> list[MovedRow]:
    """Every row the merge moved, in words, for the merge page."""
    from mash.decisions.models import EarlyHelpReferral
    from mash.intake.models import ContactPerson
    from mash.people.models import Involvement

    moved = merge.moved or {}
    holder = merge.merged_id if merge.is_undone else merge.survivor_id
    rows: list[MovedRow] = []
    for cp in ContactPerson.objects.filter(pk__in=moved.get("contact_people", [])).select_related("contact"):
        rows.append(MovedRow("Contact appearance", cp.pk, f"{cp.get_role_display()} on contact {cp.contact.reference}", cp.person_id == holder))
    for inv in Involvement.objects.filter(pk__in=moved.get("involvements", [])).select_related("team"):
        rows.append(MovedRow("Involvement", inv.pk, f"{inv.get_kind_display()}, {inv.team} from {inv.started_on:%d/%m/%Y}", inv.person_id == holder))
    for r in Relationship.objects.filter(pk__in=moved.get("relationships_person", [])).select_related("relative"):
        rows.append(MovedRow("Relationship", r.pk, f"{r.relative.full_name} is their {r.relationship}", r.person_id == holder))
    for r in Relationship.objects.filter(pk__in=moved.get("relationships_relative", [])).select_related("person"):
        rows.append(MovedRow("Relationship", r.pk, f"They are {r.person.full_name}'s {r.relationship}", r.relative_id == holder))
    for ref in EarlyHelpReferral.objects.filter(pk__in=moved.get("early_help_referrals", [])):
        rows.append(MovedRow("Early help referral", ref.pk, str(ref), ref.person_id == holder))
    for sr in SourceRecord.objects.filter(pk__in=moved.get("source_records", [])).select_related("agency"):
        rows.append(MovedRow("Agency record", sr.pk, f"{sr.agency} row {sr.row_number}", sr.person_id == holder))
    return rows


def kept_relationships(merge: PersonMerge) -> list[Relationship]:
    return list(Relationship.objects.filter(pk__in=(merge.moved or {}).get("relationships_kept", [])).select_related("person", "relative"))


def recent_merges(limit: int = 50) -> QuerySet[PersonMerge]:
    return PersonMerge.objects.select_related("survivor", "merged", "merged_by", "undone_by")[:limit]


@dataclass(frozen=True)
class Overview:
    model_row: MatchModel | None
    model: TrainedModel | None
    model_problem: str
    jobs: list[LinkageJob]
    pending_duplicates: int
    pending_links: int
    merges: list[PersonMerge]
    review_threshold: Decimal
    strong_threshold: Decimal


def overview() -> Overview:
    partnership = require_partnership()
    row = active_model_row()
    model, problem = None, ""
    try:
        model = model_for(row)
    except (OSError, ValueError, KeyError) as exc:
        problem = f"The shipped model could not be loaded ({exc}). Train a model with `manage.py train_matching_model`."
    pending = CandidatePair.objects.filter(status=CandidatePair.Status.PENDING)
    return Overview(
        model_row=row,
        model=model,
        model_problem=problem,
        jobs=list(LinkageJob.objects.select_related("agency", "started_by")[:10]),
        pending_duplicates=pending.filter(left__isnull=False).count(),
        pending_links=pending.filter(source_record__isnull=False).count(),
        merges=list(recent_merges(5)),
        review_threshold=partnership.match_review_threshold,
        strong_threshold=partnership.match_strong_threshold,
    )
