"""Dishonesty records (失信记录): their lifecycle, shared by the API and the jobs."""
