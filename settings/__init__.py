"""One typed settings object, built by the CLI (and later the app factory) and passed down.

Environment variables use the ``RELIEFGRAPH_`` prefix, except the Neo4j connection, which
also answers to the names every Neo4j tool uses (``NEO4J_URI``, ``NEO4J_USERNAME``,
``NEO4J_PASSWORD``). Tests build ``Settings(...)`` with keyword arguments instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The receiving platform's fields and codes for exported credit records (credit/catalogue.py).
CREDIT_CATALOGUE_FILE = PROJECT_ROOT / "rules" / "credit-catalogue.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELIEFGRAPH_", populate_by_name=True, extra="ignore")

    # --- Neo4j connection. With neo4j_uri unset, the project's own local server is used.
    neo4j_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("neo4j_uri", "NEO4J_URI", "RELIEFGRAPH_NEO4J_URI")
    )
    neo4j_user: str = Field(
        default="neo4j",
        validation_alias=AliasChoices("neo4j_user", "NEO4J_USERNAME", "NEO4J_USER", "RELIEFGRAPH_NEO4J_USER"),
    )
    neo4j_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("neo4j_password", "NEO4J_PASSWORD", "RELIEFGRAPH_NEO4J_PASSWORD"),
    )
    neo4j_database: str = "neo4j"

    # --- The local server the project provisions (ignored when neo4j_uri is set).
    neo4j_version: str = "5.26.30"
    state_dir: Path = Field(default=PROJECT_ROOT / ".reliefgraph", description="git-ignored local state")
    cache_dir: Path = Field(default=Path.home() / ".cache" / "reliefgraph", description="downloads, reused")
    bolt_port: int = 7687
    # Sized for the county's 2-core, 24 GiB machines: the full county's store is ~1 GiB.
    heap_size: str = "3g"
    pagecache_size: str = "3g"
    start_timeout_s: float = 120.0

    # --- The API service.
    profile: Literal["production", "development"] = "production"
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys_file: Path = Field(default=PROJECT_ROOT / ".reliefgraph" / "api-keys.toml")
    # Partners' data-sharing agreements (access/agreements.py), beside the keys bound to them.
    agreements_file: Path = Field(default=PROJECT_ROOT / ".reliefgraph" / "agreements.toml")
    trusted_documents: bool = Field(
        default=True,
        description="in production, keys bound to an agreement run only its registered documents",
    )
    max_verify_ids: int = Field(default=1000, ge=1, le=5000, description="ID numbers in one verifyPersons")
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"] = "HS256"
    jwt_key: SecretStr | None = None  # the HMAC secret, or the issuer's public key (PEM)
    # Encrypts person handles (access/handles.py); unset: a key file in the state directory.
    handle_key: SecretStr | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = "reliefgraph"
    max_page_size: int = Field(default=100, ge=1)
    max_query_depth: int = Field(default=10, ge=2)
    max_aliases: int = Field(default=15, ge=0)
    max_fields: int = Field(
        default=1000, ge=10, description="fields one operation selects, fragments expanded"
    )
    # The standard validation compares every pair of fields sharing a response name at one place.
    max_selections: int = Field(
        default=200,
        ge=10,
        description="fields in one selection set, fragments expanded and equal response names merged",
    )
    max_repeats: int = Field(
        default=8,
        ge=1,
        description="times one response name is selected in one selection set, fragments expanded",
    )
    max_tokens: int = Field(default=2000, ge=50)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    keep_alive_requests: int = Field(
        default=100,
        ge=0,
        description="requests a keep-alive connection serves on "
        "average before the server closes it, so clients spread again over the "
        "workers (nginx's keepalive_requests); 0: never closed by the server",
    )
    # Connections (reliefgraph/header_limits.py), per worker; nginx in front has its own (deploy/nginx).
    header_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="for a request's headers to arrive, from the connection's start or its last response",
    )
    max_header_bytes: int = Field(
        default=16 * 1024, ge=1024, description="a request line and headers; beyond it 431"
    )
    keep_alive_timeout_s: float = Field(default=5.0, gt=0, description="then an idle connection is closed")
    max_connections: int = Field(
        default=500,
        ge=1,
        description="connections or requests in flight per "
        "worker; beyond it 503 (uvicorn's limit_concurrency)",
    )
    query_timeout_s: float = Field(default=10.0, gt=0)
    # Neo4j gone: answer 503 quickly rather than hold the client while the driver retries.
    neo4j_connect_timeout_s: float = Field(
        default=2.0, gt=0, description="the API's connection attempts to Neo4j"
    )
    api_retry_s: float = Field(
        default=0.5,
        ge=0,
        description="how long the API retries a lost connection or a transient error before answering 503",
    )
    hub_degree_limit: int = Field(
        default=20, ge=2, description="identifiers shared more widely are not crossed"
    )
    linkage_node_limit: int = Field(default=300, ge=10)
    publicity_days: int = Field(default=7, ge=0, description="how long results are posted before a decision")
    report_round_trips: bool = False  # add extensions.cypherRoundTrips to responses
    jwt_max_lifetime_s: int = Field(default=24 * 3600, ge=60, description="a JWT expiring later is refused")

    # --- Rate limits (reliefgraph/rate_limit.py): token buckets in each worker process; 0 turns one off.
    rate_limit_address_per_s: float = Field(
        default=20.0, ge=0, description="requests a second per client address"
    )
    rate_limit_address_burst: int = Field(default=200, ge=1)
    rate_limit_principal_per_s: float = Field(
        default=5.0, ge=0, description="requests a second per API key or JWT subject"
    )
    rate_limit_principal_burst: int = Field(default=100, ge=1)
    auth_failure_limit: int = Field(
        default=20,
        ge=0,
        description="failed authentications from one address "
        "within auth_failure_window_s that lock it out; 0: never",
    )
    auth_failure_window_s: float = Field(default=60.0, gt=0)
    auth_lockout_s: float = Field(default=300.0, gt=0, description="how long a locked-out address gets 429")
    # The reverse proxy's addresses: from these, the client is the last X-Forwarded-For hop.
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])

    @property
    def development(self) -> bool:
        return self.profile == "development"

    # --- Loading.
    batch_size: int = Field(default=2000, ge=1, le=50_000)
    # Measured on 2 cores: 1 worker 8.5k persons/s, 2 11.5k, 3 14.2k, 4 14.0k.
    write_workers: int = Field(default=3, ge=1, le=16, description="concurrent write transactions per feed")
    rules_file: Path = PROJECT_ROOT / "rules" / "reference.toml"
    feed_headers_file: Path = PROJECT_ROOT / "rules" / "feed-headers.toml"  # departments' column names

    county_code: str = Field(default="370831", pattern=r"^\d{6}$", description="as in rules/reference.toml")

    # --- Credit (DOMAIN.md section 9; national rules 2023).
    credit_min_publicity_months: int = Field(default=3, ge=0, description="before this, no credit repair")
    credit_max_publicity_months: int = Field(
        default=36, ge=1, description="at this, a record expires on its own"
    )
    # Disciplinary publicity of dishonesty records: "masked" (刘*兵, ID masked), "name" (full
    # name, ID masked) or "full" (name and ID number) — as local law allows.
    dishonesty_publicity_identity: Literal["masked", "name", "full"] = "masked"
    credit_export_batch_size: int = Field(default=500, ge=1, le=10_000)
    credit_export_url: str | None = None  # the credit platform's endpoint; None: the outbox folder
    credit_export_token: SecretStr | None = None
    credit_export_outbox: Path = PROJECT_ROOT / "outbox" / "credit"
    credit_export_timeout_s: float = Field(default=10.0, gt=0)
    credit_export_attempts: int = Field(default=6, ge=1, description="per request, with exponential backoff")
    credit_catalogue_file: Path = CREDIT_CATALOGUE_FILE  # the platform's fields and codes
    credit_inbound_max_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="one push of external records (POST /credit/inbound)"
    )

    # --- Partners (docs/partners.md): submissions and the change feed.
    max_submission_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        description="one submitted file (POST /feeds/{feed}); beyond it 413",
    )
    submission_detect: bool = Field(
        default=True, description="re-detect findings for what a submission's rows can affect"
    )
    partner_changes_poll_s: float = Field(
        default=2.0,
        gt=0,
        description="how often a subscription looks for changes loaded by another process "
        "(loads through this one wake it at once)",
    )

    # The public disclosure (资金使用公开) at /public/: the files `reliefgraph publish` last
    # wrote into this folder, served keyless and read-only. Unset: /public/ answers 404.
    public_dir: Path | None = Field(
        default=None,
        description="serve the `reliefgraph publish` output in this folder at /public/ (off when unset)",
    )
    public_max_age_s: int = Field(
        default=300, ge=0, le=86_400, description="how long browsers and proxies may keep /public/ files"
    )

    submissions_dir_setting: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("submissions_dir", "RELIEFGRAPH_SUBMISSIONS_DIR"),
        description="submissions' rejects files; default: submissions/ in the state directory",
    )

    @property
    def submissions_dir(self) -> Path:
        """Submissions' rejects files, one folder per receipt (0700, files 0600)."""
        return self.submissions_dir_setting or self.state_dir / "submissions"

    # --- Detection.
    detection_rules_file: Path = PROJECT_ROOT / "rules" / "detection.toml"
    credit_rules_file: Path = PROJECT_ROOT / "rules" / "credit.toml"  # due process, honesty incentives

    # --- Reports, investigations, notifications (docs/investigations.md).
    casework_rules_file: Path = PROJECT_ROOT / "rules" / "casework.toml"
    report_form_per_hour: float = Field(
        default=5.0, ge=0, description="public reports an address may submit an hour; 0: no limit"
    )
    report_form_burst: int = Field(default=3, ge=1)
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    smtp_host: str | None = None  # the county's mail server; None: notifications stay in the inbox
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "reliefgraph@localhost"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    # Staff members' mail addresses by API subject (TOML: subject = "address").
    notification_addresses_file: Path = Field(default=PROJECT_ROOT / ".reliefgraph" / "mail-addresses.toml")
    # The Chinese font evidence packs embed (a subset of), from Debian's fonts-wqy-microhei (`make browser`).
    evidence_font_file: Path = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

    # --- Operations: backups (`reliefgraph backup`, the `backup` job) and the metrics endpoint.
    backup_dir_setting: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("backup_dir", "RELIEFGRAPH_BACKUP_DIR"),
        description="default: backups/ in the state directory",
    )
    backup_keep: int = Field(default=7, ge=1, description="dumps the backup job keeps")
    metrics_token: SecretStr | None = None  # when set, /metrics wants it as a bearer token
    # Without a token, production serves /metrics only when it is opened on purpose.
    metrics_open: bool = False
    log_format: Literal["text", "json"] = "text"  # json: one event per line (observability/logs.py)

    @property
    def backup_dir(self) -> Path:
        return self.backup_dir_setting or self.state_dir / "backups"

    @field_validator("neo4j_uri")
    @classmethod
    def _known_scheme(cls, uri: str | None) -> str | None:
        if uri is None or uri == "":
            return None
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not uri.startswith(schemes):
            raise ValueError(f"NEO4J_URI must start with one of {', '.join(schemes)}; got {uri!r}")
        return uri

    @property
    def uses_local_server(self) -> bool:
        return self.neo4j_uri is None

    @property
    def neo4j_home(self) -> Path:
        return self.state_dir / "neo4j"
