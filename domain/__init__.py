"""The county's vocabulary that every floor may import: money, and the values the graph's records hold."""
