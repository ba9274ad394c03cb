"""The categories of personal data (docs/domain.md): what the field table classifies,
what agreements grant and what audit events record. Below principals, policy and agreements,
so each of them may name a category."""

from __future__ import annotations

from enum import StrEnum


class DataCategory(StrEnum):
    BASIC = "basic"  # name, sex, birth date, household membership, village
    IDENTITY = "identity"  # ID numbers
    CONTACT = "contact"  # phones, addresses
    FINANCIAL = "financial"  # bank accounts, payment accounts, deposits
    HEALTH = "health"  # disability, mental illness, cancers, other health flags
    SOCIAL = "social"  # orphan, child in distress, registered poverty, disaster victim
    ASSETS = "assets"  # vehicles, property, business, employment, income
    BENEFITS = "benefits"  # cases, enrollments, payments
    CREDIT = "credit"  # dishonesty records and joint restrictions
    FINDINGS = "findings"  # findings naming a person (fraud suspicions included)
