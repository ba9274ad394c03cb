"""`reliefgraph agreement create|list|revoke|trust` and `apikey create --agreement`: what they
write, and a clear one-line refusal for what they cannot."""

from __future__ import annotations

import stat
from pathlib import Path

from typer.testing import CliRunner

from access.agreements import read_agreements
from access.policy import DataCategory
from access.principal import Principal, Role
from access.tokens import Authenticator, add_key, read_keys
from reliefgraph.cli import app
from reliefgraph.commands.serve import DEMO_AGREEMENT, ensure_demo_keys
from settings import Settings

CREATE = [
    "agreement",
    "create",
    "--id",
    "AGR-JT-CLI",
    "--department",
    "JT",
    "--programme",
    "EDU",
    "--category",
    "identity",
    "--category",
    "benefits",
    "--purpose",
    "EDU_AID_ELIGIBILITY",
    "--valid-from",
    "2026-09-01",
    "--signatory",
    "泗水县民政局",
    "--signatory",
    'a "quoted" office',
    "--document",
    "泗民函〔2026〕12号",
]


def cli_settings(tmp_path: Path) -> Settings:
    return Settings(api_keys_file=tmp_path / "keys.toml", agreements_file=tmp_path / "agreements.toml")


def test_an_agreement_is_made_listed_bound_and_revoked(tmp_path: Path) -> None:
    settings = cli_settings(tmp_path)
    runner = CliRunner()
    made = runner.invoke(app, CREATE, obj=settings)
    assert made.exit_code == 0, made.output
    agreement = read_agreements(settings.agreements_file)["AGR-JT-CLI"]
    assert agreement.categories == {DataCategory.IDENTITY, DataCategory.BENEFITS}
    assert str(agreement.valid_until) == "2029-08-31"  # the default term: 3 years
    assert agreement.signatories == ("泗水县民政局", 'a "quoted" office')
    assert stat.S_IMODE(settings.agreements_file.stat().st_mode) == 0o600
    key = runner.invoke(
        app,
        [
            "apikey",
            "create",
            "--subject",
            "jt-aid",
            "--role",
            "department_partner",
            "--department",
            "JT",
            "--agreement",
            "AGR-JT-CLI",
        ],
        obj=settings,
    )
    assert key.exit_code == 0, key.output
    assert [k.agreement_id for k in read_keys(settings.api_keys_file)] == ["AGR-JT-CLI"]
    revoked = runner.invoke(
        app, ["agreement", "revoke", "AGR-JT-CLI", "--reason", "term ended early"], obj=settings
    )
    assert revoked.exit_code == 0, revoked.output
    listed = runner.invoke(app, ["agreement", "list"], obj=settings)
    assert "AGR-JT-CLI" in listed.output and "term ended early" in listed.output


def test_what_cannot_be_made_is_refused_in_one_line(tmp_path: Path) -> None:
    settings = cli_settings(tmp_path)
    runner = CliRunner()
    for args, expected in [
        (["--category", "gossip"], "categories are some of"),
        (["--purpose", "checking applicants"], "purposes are codes"),
        (["--valid-until", "2020-01-01"], "before valid-from"),
        (["--valid-from", "1 September"], "not a date"),
    ]:
        bad = CREATE + args
        result = runner.invoke(app, bad, obj=settings)
        assert result.exit_code == 2 and expected in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert runner.invoke(app, CREATE, obj=settings).exit_code == 0
    again = runner.invoke(app, CREATE, obj=settings)
    assert again.exit_code == 2 and "exists already" in again.output
    wrong = runner.invoke(
        app,
        [
            "apikey",
            "create",
            "--subject",
            "ga",
            "--role",
            "department_partner",
            "--department",
            "GA",
            "--agreement",
            "AGR-JT-CLI",
        ],
        obj=settings,
    )
    assert wrong.exit_code == 2 and "not one of this partner's department" in wrong.output
    unknown = runner.invoke(app, ["agreement", "revoke", "AGR-NONE", "--reason", "whatever"], obj=settings)
    assert unknown.exit_code == 2 and "no agreement AGR-NONE" in unknown.output


def test_the_demo_partner_key_works_under_the_demo_agreement(tmp_path: Path) -> None:
    settings = cli_settings(tmp_path).model_copy(update={"profile": "development"})
    # A demo key made before agreements existed: made again, bound, and the later entry wins.
    add_key(
        settings.api_keys_file,
        Principal("demo-jt-client", Role.DEPARTMENT_PARTNER, "JT"),
        key="rg_demo_partner_jt",
        demo=True,
    )
    ensure_demo_keys(settings)
    authenticator = Authenticator(
        settings.api_keys_file, None, allow_demo_keys=True, agreements=settings.agreements_file
    )
    principal = authenticator.authenticate("Bearer rg_demo_partner_jt")
    assert principal.agreement is not None and principal.agreement.agreement_id == DEMO_AGREEMENT
    assert "EDU_AID_ELIGIBILITY" in principal.agreement.purposes
    assert authenticator.authenticate("Bearer rg_demo_investigator").agreement is None
