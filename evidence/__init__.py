"""Evidence packs: a case file (a confirmed finding, an investigation) as a PDF that the
audit chain vouches for."""
