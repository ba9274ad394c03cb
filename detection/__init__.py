"""Detection: finding duplicate claims, linked fraud and coverage gaps (DOMAIN.md section 7)."""
