"""One module per family of findings; each detector reads the graph and returns situations."""
