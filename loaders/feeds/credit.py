"""The credit platform's feed of records other agencies published (external dishonesty
records); its Cypher is the push route's too (credit/external.py)."""

from __future__ import annotations

from credit.external import RECEIVE_EXTERNAL
from loaders.feeds.base import Feed
from loaders.references import Ref, RefKind
from loaders.rows.credit import ExternalCreditRow

CREDIT_FEEDS = (
    Feed(
        "credit_records_external",
        ExternalCreditRow,
        55,  # after the persons it names, before the applications it restricts
        RECEIVE_EXTERNAL,
        "dishonesty records other agencies published on the credit platform (the platform's "
        "download, loaded by the county's credit office)",
        refs=(Ref("id_number", RefKind.PERSON),),
        note="One row per record, keyed by the platform's `source_record_key`: loading it again "
        "changes nothing, a later row replaces the record's values. `withdrawn` = 是 ends a "
        "record the platform withdrew (only `source_agency` and `source_record_key` are needed). "
        "A record restricts its subject's household as the county's own do until "
        "`restriction_end` (default: `publicity_end`; neither: until withdrawn). The platform "
        "may push the same rows to `POST /credit/inbound` ([credit.md](credit.md#external-records)).",
        provenance=False,
    ),
)
