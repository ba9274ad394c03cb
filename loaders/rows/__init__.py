"""One pydantic model per department feed: what a valid row of each export looks like."""
