"""A synthetic Sishui-like county, written as department exports, with planted and labelled findings."""
