"""The credit platform's records of other agencies (external dishonesty records): the row of
the `credit_records_external` feed and of the platform's push (POST /credit/inbound)."""

from __future__ import annotations

from pydantic import Field, model_validator

from loaders.rows.common import Day, FeedRow, IdNumber, Name, Text, YesNo


class ExternalCreditRow(FeedRow):
    """One record as the platform publishes it, or its withdrawal (withdrawn = yes: only the
    agency and the key are needed)."""

    source_agency: Text = Field(min_length=2, max_length=200)  # 认定单位 / 数据来源单位
    source_record_key: Text = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:/-]+$")
    withdrawn: YesNo = False
    withdrawal_reason: Text | None = Field(default=None, max_length=2000)
    subject_name: Name | None = None
    id_number: IdNumber | None = None
    behaviour: Text | None = Field(default=None, max_length=500)  # the catalogue's item
    legal_basis: Text | None = Field(default=None, max_length=500)
    severity: Text | None = Field(default=None, max_length=50)
    deciding_authority: Text | None = Field(default=None, max_length=200)
    decision_number: Text | None = Field(default=None, max_length=200)
    decision_date: Day | None = None
    publicity_start: Day | None = None
    publicity_end: Day | None = None
    restriction_end: Day | None = None  # 惩戒期限: the restriction ends after this day

    @model_validator(mode="after")
    def _complete(self) -> ExternalCreditRow:
        if self.withdrawn:
            return self
        missing = [
            n for n in ("subject_name", "id_number", "behaviour", "decision_date") if getattr(self, n) is None
        ]
        if missing:
            raise ValueError(f"a record needs {', '.join(missing)} (or withdrawn = yes)")
        if self.publicity_end and self.publicity_start and self.publicity_end < self.publicity_start:
            raise ValueError("publicity_end is before publicity_start")
        if self.restriction_end and self.decision_date and self.restriction_end < self.decision_date:
            raise ValueError("restriction_end is before decision_date")
        return self

    def params(self) -> dict[str, object]:
        out = super().params()
        # Without its own period of restriction, a record restricts while the platform publishes it.
        if out.get("restriction_end") is None:
            out["restriction_end"] = self.publicity_end
        return out
